"""The one sentence about danger that the bot, the channels and Rasa's own fallbacks all say.

A person who may be in danger should read the same words wherever the assistant names 112: in a handoff, a status
update, a message not understood, a failure of a channel or an action. The acute message (bot/actions/texts.py
ACUTE) starts with the same words and adds what to do. 112 is the one line all five protocols name
(bot/actions/protocols/_model.yml).
"""

DANGER_LINE = "Bent u nu in gevaar? Bel dan direct 112."
