"""The local server runs handlers on many threads (requests and the dispatcher); Lambda, one at a time."""


def test_request_threads_and_the_dispatcher_share_metrics_without_a_failed_flush(capsys):
    """Without the local server's lock, a flush racing another raises "Must contain at least one metric"
    inside a handler (a 500) a few times in this many steps."""
    import threading
    import warnings

    from chalicelib.observability import metrics
    from local.run import _metrics_one_thread_at_a_time

    _metrics_one_thread_at_a_time()
    failures = []

    def handler_steps():
        for _ in range(500):
            try:
                metrics.add_metric(name="Step", unit="Count", value=1)
                metrics.flush_metrics()
            except Exception as error:  # any failure is the finding
                failures.append(error)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        threads = [threading.Thread(target=handler_steps) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    capsys.readouterr()
    assert failures == []
