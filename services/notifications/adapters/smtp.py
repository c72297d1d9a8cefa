"""Sending over SMTP (host, port, STARTTLS or implicit TLS, credentials: settings.py).

Any failure to hand the message over (refused connection, timeout, 4xx/5xx) is
:class:`SendFailed`; the caller retries later with backoff."""
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from . import settings


class SendFailed(Exception):
    pass


def build_message(sender, to, subject, body, notice_id, attachments=(), locale="fr"):
    """A plain-text e-mail; its Message-ID is derived from the notice, so a resend after
    a crash carries the same id (mail clients and servers may fold the two)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = f"<{notice_id}@carnet.notifications>"
    message["X-Carnet-Notice"] = notice_id
    message.set_content(body)
    for filename, content, mime in attachments:
        maintype, _, subtype = mime.partition("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    message["Content-Language"] = locale  # last: set_content clears Content-* headers
    return message


class SmtpSender:
    def __init__(self, host=None, port=None, security=None, user=None, password=None,
                 timeout=None):
        self.host = host or settings.smtp_host()
        self.port = port or settings.smtp_port()
        self.security = security or settings.smtp_security()
        self.user = user if user is not None else settings.smtp_user()
        self.password = password if password is not None else settings.smtp_password()
        self.timeout = timeout or settings.smtp_timeout()

    def send(self, message: EmailMessage):
        try:
            if self.security == "ssl":
                client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                          context=ssl.create_default_context())
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with client:
                if self.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if self.user:
                    client.login(self.user, self.password or "")
                refused = client.send_message(message)
        except (smtplib.SMTPException, OSError) as error:
            raise SendFailed(f"{type(error).__name__}: {error}") from error
        if refused:
            raise SendFailed(f"recipients refused: {refused}")
