"""Powertools Logger, Metrics and Tracer, created once and shared by every function.

Configured by the standard POWERTOOLS_* environment variables (see .chalice/config.json).
Nothing personal is logged in clear: callers log `mask_mobile(...)`, never OTPs or tokens.
"""
from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger(service="teeka")
metrics = Metrics(namespace="Teeka", service="teeka")
tracer = Tracer(service="teeka")
