"""gunicorn settings for the gateway; every value can be overridden from the environment."""
import os

bind = os.environ.get("CARNET_GATEWAY_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("CARNET_GATEWAY_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("CARNET_GATEWAY_THREADS", "8"))
timeout = 60
graceful_timeout = 10
accesslog = os.environ.get("CARNET_GATEWAY_ACCESSLOG", "-")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
# Request line and headers (gunicorn's defaults, named here; docs/limits.md). gunicorn
# refuses more itself, answered in the API's error envelope (gateway/gunicorn_errors.py).
limit_request_line = int(os.environ.get("CARNET_GATEWAY_LIMIT_REQUEST_LINE", "4094"))
limit_request_fields = int(os.environ.get("CARNET_GATEWAY_LIMIT_REQUEST_FIELDS", "100"))
limit_request_field_size = int(os.environ.get("CARNET_GATEWAY_LIMIT_REQUEST_FIELD_SIZE",
                                              "8190"))


def on_starting(server):
    """Multiprocess metrics need an empty folder at start (stale files would add up).
    gunicorn's own refusals (414, 431, 400) answer in the error envelope."""
    from gateway import gunicorn_errors
    gunicorn_errors.install()
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        for name in os.listdir(folder):
            os.remove(os.path.join(folder, name))


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess
        multiprocess.mark_process_dead(worker.pid)
