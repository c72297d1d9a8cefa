"""Hand-run benchmarks (docs/benchmarks.md). Quiet, like ``make run``: eventlet's
deprecation notice and amqp's closing-channel chatter say nothing about the figures."""
import logging
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)
warnings.filterwarnings("ignore", message="\\s*Eventlet is deprecated")
logging.getLogger("amqp").setLevel(logging.ERROR)
