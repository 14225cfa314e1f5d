from celery import shared_task
from django.core.mail import EmailMultiAlternatives

#: How a task that sends people notices runs: handed back to the queue only once done, a
#: time limit, and retried with growing pauses when the mail server cannot be reached.
NOTICE_TASK = {
    "acks_late": True,
    "soft_time_limit": 120,
    "time_limit": 150,
    "autoretry_for": (OSError,),
    "retry_backoff": True,
    "max_retries": 5,
}


@shared_task(bind=True, max_retries=5, default_retry_delay=60, acks_late=True)
def send_email(
    self,
    *,
    to: list[str],
    subject: str,
    body: str,
    html: str = "",
    headers: dict[str, str] | None = None,
    attachments: list[list[str]] | None = None,
) -> None:
    """Send one rendered email; retried with back-off when the mail server fails.
    ``attachments`` are [filename, text, MIME type] (plain lists: the task's arguments
    travel as JSON)."""
    message = EmailMultiAlternatives(subject=subject, body=body, to=to, headers=headers or {})
    if html:
        message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments or ():
        message.attach(filename, content, mimetype)
    try:
        message.send()
    except OSError as exc:
        raise self.retry(exc=exc) from exc
