"""Patches to Rasa 3.6 and its dependencies, applied inside the Rasa server (.venv-rasa).

Each module works around one known bug and has an `apply()`; its docstring says which bug and how to tell
when the patch can go. They live here, not beside the NLU components, because they are no part of the NLU:
- socketio_fixes: applied by bot/connectors.py when Rasa loads the input channels (the web widget);
- speedups: applied by nlu.abcd when Rasa loads the NLU pipeline (every action call).
"""
