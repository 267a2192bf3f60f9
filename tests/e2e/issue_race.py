"""Run by tests/e2e/test_certificates.py in its own process, pointed at the local server's embedded AWS:
correct a vaccinated beneficiary's name (which marks their certificate due in the same transaction),
withhold the queue message that would have the server's worker issue it, and let real threads race
to issue the new certificate at once. Prints each thread's outcome."""
import json
import sys
import threading
import time

from chalicelib.config import get_settings
from chalicelib.services import certificates, registration


def main(mobile: str, reference_id: str, threads: int) -> None:
    registration.request_certificates = lambda reference_id, doses: None
    registration.correct(mobile, reference_id, {"beneficiary_reference_id": reference_id, "name": "Ravi K. Kumar"},
                         int(time.time()), get_settings().country)
    barrier = threading.Barrier(threads)
    outcomes = []

    def issue() -> None:
        barrier.wait()
        outcomes.append(certificates.issue(reference_id, 1, get_settings().country))

    workers = [threading.Thread(target=issue) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    print(json.dumps(outcomes))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
