"""Why the stack could not be reached: raised by `stack_client.py`, shown by the app's panes, and
told in one line by the `cardwatch` CLI's entry point for every command that talks to the stack.
Its own module, so the CLI need not import boto3 to name it."""


class StackUnreachableError(RuntimeError):
    """The stack cannot be reached or is not deployed; the message says how to start it."""
