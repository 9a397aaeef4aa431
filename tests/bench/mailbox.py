"""What the notification workers did, once their queue is empty; JSON.

Run by the two-server benchmark (tests/bench/run.py) with tests.bench.settings
after its crowd: `python -m tests.bench.mailbox --wait 30`. It waits, at most
that long, for the queue to empty, then counts the e-mails three ways: the
messages the file backend wrote (SLATE_BENCH_MAIL), the notifications marked
e-mailed (mail.py claims one before it sends), and the queue's results that
say "sent", by notification and by worker. A notification sent twice shows
as more messages than notifications, or as a notification with two results.
"""

import argparse
import json
import time
from collections import Counter
from pathlib import Path

import django

django.setup()

from django.conf import settings  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from production.models import Notification  # noqa: E402

TASK = "production.mail.send_notification_email"
# The file backend ends every message with a line of 79 dashes.
SEPARATOR = "-" * 79


def messages(folder: Path) -> int:
    return sum(
        line == SEPARATOR
        for file in folder.glob("*.log")
        for line in file.read_text(errors="replace").splitlines()
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--wait", type=float, default=30)
    args = parser.parse_args()
    queue = DBTaskResult.objects.filter(task_path=TASK)
    deadline = time.monotonic() + args.wait

    def waiting():
        # A retry planned for later is not waiting; none is planned here.
        return queue.ready() | queue.running()

    while waiting().exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    sent = queue.successful().filter(return_value="sent")
    by_notification = Counter(result.args_kwargs["args"][0] for result in sent)
    by_worker = Counter(worker for result in sent for worker in result.worker_ids[-1:])
    print(
        json.dumps(
            {
                "queued": queue.count(),
                "waiting": waiting().count(),
                "failed": queue.failed().count(),
                "sent": sum(by_notification.values()),
                "sent_twice": sorted(n for n, c in by_notification.items() if c > 1),
                "emailed": Notification.objects.exclude(emailed_at=None).count(),
                "messages": messages(
                    Path(settings.MAILERS["default"]["OPTIONS"]["file_path"])
                ),
                "by_worker": dict(by_worker),
            }
        )
    )


if __name__ == "__main__":
    main()
