"""The local SMTP catcher of ``make run``: an SMTP server (aiosmtpd) on
``CARNET_SMTP_HOST:CARNET_SMTP_PORT`` (127.0.0.1:1025) that delivers nothing and writes
each message it receives to ``var/mail/`` (``CARNET_MAIL_DIR``) as an ``.eml`` file,
readable with any mail client or ``cat``. Development only (the Procfile's ``mail``):
not part of the notifications service, which only sends to whatever SMTP server it is
given.

    python -m carnet.mailcatcher
"""
import asyncio
import email
import email.policy
import logging
import signal
import sys
import time
from pathlib import Path

from aiosmtpd.controller import Controller

from services.common.config import env, var_dir

log = logging.getLogger("carnet.mail")


class EmlWriter:
    """aiosmtpd handler: one ``.eml`` file per message."""

    def __init__(self, directory):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        path = self.directory / f"{stamp}-{self.count:05d}.eml"
        path.write_bytes(envelope.original_content or envelope.content)
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        log.info("to %s: %s -> %s", ", ".join(envelope.rcpt_tos), parsed["Subject"], path)
        return "250 Message accepted for delivery"


def smtp_host() -> str:
    return env("CARNET_SMTP_HOST", "127.0.0.1")


def smtp_port() -> int:
    return int(env("CARNET_SMTP_PORT", "1025"))


def mail_dir() -> str:
    """Where the catcher writes what it receives."""
    return env("CARNET_MAIL_DIR", str(var_dir() / "mail"))


def main():
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's session chatter
    directory = mail_dir()
    controller = Controller(EmlWriter(directory), hostname=smtp_host(),
                            port=smtp_port())
    controller.start()
    log.info("SMTP catcher on %s:%s, writing each message to %s/", smtp_host(),
             smtp_port(), directory)
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        loop.run_until_complete(stop.wait())
    finally:
        controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
