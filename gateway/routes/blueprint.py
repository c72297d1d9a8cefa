"""The routes' blueprint: flask-smorest's, with an argument parser that builds each
schema once.

webargs builds a new instance of a schema given as a class on every request (a deep copy
of its declared fields); a schema keeps no state between loads, so one instance per class
serves every request and thread (``services.common.schemas.instance``, issue 14)."""
import flask_smorest
from webargs.flaskparser import FlaskParser

from services.common.schemas import instance


class SchemaOnceParser(FlaskParser):
    def _get_schema(self, argmap, req):
        if isinstance(argmap, type):
            return instance(argmap)
        return super()._get_schema(argmap, req)


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = SchemaOnceParser()
