"""Why the embedded emulator could not start: raised by `emulator.py`, told in one line by the
CLI's entry point for every command that starts one (`local up`, `demo --ephemeral`, `chaos`, the
feedback demo). Its own module, so the CLI need not import moto to name it."""


class EmulatorError(RuntimeError):
    """The emulator could not start: its port is taken, or it exited or went unanswered."""
