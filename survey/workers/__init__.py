"""Workers: jobs from the queue in the database (``storage/jobs.py``) run outside web requests.

``survey worker`` (``loop.Worker``) claims jobs and runs each in a process of its own, forked
from the idle worker with WeasyPrint and pandas already imported, heartbeating its lease
meanwhile: a render's memory, its collector pause and any crash or leak end with that
process and touch no web request.
Any number of workers, on any number of machines sharing the database, share the queue; a
job is claimed by one at a time, and a job whose worker died is taken up by another.

Without a worker the web app still works: with ``WORKERS`` above 0 (the default), a web
process that queues a job also runs queued jobs itself in threads (``local.py``), as it
rendered reports before there were workers; production sets ``SURVEY_WORKERS=0`` and runs
``survey worker`` processes.
"""
