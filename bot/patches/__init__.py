"""Patches to Rasa 3.6 and its dependencies, applied inside the Rasa server (.venv-rasa).

Each module works around one known bug and has an `apply()`; its docstring says which bug and how to tell
when the patch can go. They live here, not beside the NLU components, because they are no part of the NLU:
- socketio_fixes: applied by bot/connectors.py when Rasa loads the input channels (the web widget);
- speedups: applied by nlu.abcd when Rasa loads the NLU pipeline (every action call);
- never_silent: a fixed answer with 112 when a custom action fails or times out (bot/connectors.py);
- log_privacy: no user text in the Rasa server's logs (bot/connectors.py, and bot/logging.yml's filter);
- redis_lock: Rasa's RedisLockStore safe for several replicas (bot/connectors.py);
- payload_guard: a typed "/intent{...}" sets no slot, only a button the bot offered does (bot/connectors.py);
- train: `rasa train` with the NLU data built once, the spaCy pipeline loaded once and Rasa's schema check on the fast
  parse, and the training texts embedded ahead on the idle core (`python -m patches.train`: make train,
  scripts/time_training.py, deploy/rasa.Dockerfile).
action_server is no patch of Rasa but the launcher of rasa_sdk's action server with a token check
(`python -m patches.action_server`, in .venv-actions).
"""
