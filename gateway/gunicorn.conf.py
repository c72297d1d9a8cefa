"""gunicorn settings for the gateway; every value can be overridden from the environment."""
import os

from gateway import settings
from services.common.logs import logging_config, set_service

set_service("gateway")  # gunicorn's own lines, before the app is loaded

bind = os.environ.get("CARNET_GATEWAY_BIND", "127.0.0.1:8000")
# deploy/README.md ("The gateway and the pools") says why gthread, 2 workers, 8 threads
workers = settings.workers()
worker_class = "gthread"
threads = settings.threads()
# one control socket per instance, or none (gateway/settings.py)
if settings.control_socket():
    control_socket = settings.control_socket()
else:
    control_socket_disable = True
timeout = 60
graceful_timeout = 10
# Idle keep-alive connections are kept 75 s (gunicorn's default is 2 s): a client (a POS,
# a proxy, the tests) that reuses a connection just as the gateway closes it gets no answer
# at all, and a POST is not retried. Longer than a load balancer's usual idle timeout
# (60 s), so that the balancer, not the gateway, closes idle connections.
keepalive = int(os.environ.get("CARNET_GATEWAY_KEEPALIVE", "75"))
accesslog = os.environ.get("CARNET_GATEWAY_ACCESSLOG", "-")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms %({x-request-id}o)s'
# JSON lines with the request id (services/common/logs.py); CARNET_LOG_FORMAT=plain for a terminal
# (then the gateway's own JSON line per request, with its id, is the access log; gunicorn's
# text access log is kept with CARNET_LOG_FORMAT=plain)
logconfig_dict = logging_config(os.environ.get("CARNET_LOG_LEVEL", "INFO"),
                                os.environ.get("CARNET_LOG_FORMAT", "json"))
logconfig_dict["loggers"]["gunicorn.error"] = {"handlers": ["console"], "propagate": False}
if os.environ.get("CARNET_LOG_FORMAT", "json") == "json":
    logconfig_dict["loggers"]["gunicorn.access"] = {"handlers": [], "propagate": False}
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
