"""Teeka's Lambda entry point: one Chalice app, its blueprints, and the Powertools middleware."""
import time
import warnings

from chalice import Chalice, ConvertToMiddleware, Rate

from chalicelib.adapters.queues import ALERTS, BOOKINGS, CERTIFICATES, LOCKER, REMINDERS, SMS, queue_name
from chalicelib.adapters.streams import stream_arn
from chalicelib.api import (
    alerts,
    assisted,
    auth,
    availability,
    booking,
    certificates,
    grievances,
    kycvs,
    locker,
    metadata,
    planning,
    registration,
    reports,
    stock,
    vaccination,
)
from chalicelib.config import get_settings
from chalicelib.observability import capture_lambda_handler, logger, metrics

# Every function imports this module: the API's and each event consumer's. Each consumer imports its
# own modules when it runs, so the API's cold start loads none of them (docs/architecture.md, "Cold start").

# Most requests emit no business metric; Powertools would warn on every one of them.
warnings.filterwarnings("ignore", message="No application metrics to publish")

app = Chalice(app_name="teeka")
app.api.binary_types.append("application/pdf")  # appointment slips and certificates
app.register_middleware(ConvertToMiddleware(logger.inject_lambda_context(clear_state=True)), "all")
app.register_middleware(ConvertToMiddleware(metrics.log_metrics), "all")
app.register_middleware(ConvertToMiddleware(capture_lambda_handler), "all")

app.register_blueprint(auth.bp)
app.register_blueprint(metadata.bp)
app.register_blueprint(registration.bp)
app.register_blueprint(availability.bp)
app.register_blueprint(planning.bp)
app.register_blueprint(booking.bp)
app.register_blueprint(vaccination.bp)
app.register_blueprint(certificates.bp)
app.register_blueprint(alerts.bp)
app.register_blueprint(reports.bp)
app.register_blueprint(assisted.bp)
app.register_blueprint(stock.bp)
app.register_blueprint(grievances.bp)
app.register_blueprint(locker.bp)
app.register_blueprint(kycvs.bp)


# Event consumers live here, not in blueprints, so Lambda imports app.py and its middleware with them.
@app.on_sqs_message(queue=queue_name(SMS), batch_size=10)
def deliver_sms(event):
    from chalicelib.events import sms

    return sms.handle(event.to_dict())


@app.on_sqs_message(queue=queue_name(BOOKINGS), batch_size=10)
def book_queued(event):
    from chalicelib.events import bookings

    return bookings.handle(event.to_dict())


@app.on_dynamodb_record(stream_arn=stream_arn("doses"), batch_size=100, starting_position="TRIM_HORIZON")
def dose_recorded(event):
    from chalicelib.events import doses

    return doses.handle(event.to_dict())


@app.on_dynamodb_record(stream_arn=stream_arn("sessions"), batch_size=100, starting_position="LATEST")
def session_changed(event):
    from chalicelib.events import sessions

    return sessions.handle(event.to_dict())


# The public reports' counters: each table stream's second reader.
@app.on_dynamodb_record(stream_arn=stream_arn("doses"), batch_size=100, starting_position="TRIM_HORIZON")
def count_doses(event):
    from chalicelib.events import stats as stats_events

    return stats_events.handle_doses(event.to_dict())


@app.on_dynamodb_record(stream_arn=stream_arn("sessions"), batch_size=100, starting_position="TRIM_HORIZON")
def count_sessions(event):
    from chalicelib.events import stats as stats_events

    return stats_events.handle_sessions(event.to_dict())


@app.on_sqs_message(queue=queue_name(ALERTS), batch_size=1)  # a batch of 100 subscribers is a run's work
def tell_subscribers(event):
    from chalicelib.events import alerts as alert_events

    return alert_events.handle(event.to_dict())


@app.on_sqs_message(queue=queue_name(CERTIFICATES), batch_size=10)
def issue_certificates(event):
    from chalicelib.events import certificates as certificate_events

    return certificate_events.handle(event.to_dict())


@app.on_sqs_message(queue=queue_name(LOCKER), batch_size=10)
def push_to_locker(event):
    from chalicelib.events import locker as locker_events

    return locker_events.handle(event.to_dict())


# The safety net of issuance: certificates the event path has not delivered within minutes.
@app.schedule(Rate(get_settings().certificate_sweep_minutes, unit=Rate.MINUTES))
def sweep_certificates(event):
    from chalicelib.services.certificates import sweep

    return {"queued": sweep()}


# Reminders due by now (appointments tomorrow, dose 2, precaution doses): each shard of the due days
# to a worker, and each reminder sent once.
@app.schedule(Rate(15, unit=Rate.MINUTES))
def send_reminders(event):
    from chalicelib.services import reminders

    reminders.due_shards(int(time.time()), get_settings().country)


@app.on_sqs_message(queue=queue_name(REMINDERS), batch_size=1)
def send_reminder_shard(event):
    from chalicelib.events import reminders as reminder_events

    return reminder_events.handle(event.to_dict())


if get_settings().is_local:  # local/ is not in the Lambda package: this branch runs only on a laptop
    from local import carrier, outbox
    from local import locker as simulated_locker

    carrier.install()
    app.register_blueprint(outbox.bp)
    app.register_blueprint(simulated_locker.bp)
