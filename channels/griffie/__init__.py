"""The griffie page: open handoffs, the transcript, answering the user, and handing back to the bot."""
