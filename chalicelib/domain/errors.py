"""The error catalogue: one code per cause, CoWIN's codes where CoWIN has one.

Every failure a client can see is an `ApiError` raised with one of these entries; the HTTP layer
turns it into `{"errorCode": ..., "error": ...}` with the entry's status.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorCode:
    code: str
    message: str
    status: int = 400


class ApiError(Exception):
    def __init__(self, error: ErrorCode, detail: str | None = None, headers: dict[str, str] | None = None,
                 extra: dict | None = None):
        super().__init__(detail or error.message)
        self.error = error
        self.message = detail or error.message
        self.headers = headers or {}
        self.extra = extra or {}  # more detail for the client, e.g. a per-row report

    def body(self) -> dict:
        return {"errorCode": self.error.code, "error": self.message, **self.extra}


class Unauthenticated(Exception):
    """Missing, expired or forged token. CoWIN answers 401 with a fixed plain-text body."""


# Request shape
INPUT_MISSING = ErrorCode("USRRES0001", "Input parameter missing")
INVALID_JSON = ErrorCode("USRRES0002", "Request body is not valid JSON")
INVALID_INPUT = ErrorCode("USRRES0003", "Invalid input parameter")
INVALID_DATE = ErrorCode("USRRES0004", "Invalid date, expected DD-MM-YYYY")

# Auth
INVALID_MOBILE = ErrorCode("USRAUT0001", "Invalid mobile number")
OTP_REQUIRED = ErrorCode("USRAUT0012", "OTP is Required")
# One answer for every refused OTP (wrong, expired, used, out of tries, unknown transaction): a guesser
# learns nothing from it, not even which of their guesses was right.
INVALID_OTP = ErrorCode("USRAUT0014", "Invalid OTP: it is wrong, expired or used up. Check it, or generate a new one")
OTP_THROTTLED = ErrorCode("USRAUT0018", "Generate OTP failed")
SMS_UNAVAILABLE = ErrorCode("USRAUT0019", "Could not send the OTP, please try again", 503)
FORBIDDEN = ErrorCode("USRAUT0020", "You are not allowed to do this", 403)

# Accounts
UNKNOWN_LANGUAGE = ErrorCode("USRACC0001", "Unknown language: choose one of the country's languages")

# Slot alerts
ALERT_LIMIT = ErrorCode("ALERTS0001", "This mobile already has the most slot alerts it may have: remove one first", 409)
ALERT_NOT_FOUND = ErrorCode("ALERTS0002", "No such slot alert on this mobile number", 404)

# Metadata
INVALID_STATE = ErrorCode("USRMET0001", "Invalid state id")

# Registration
BENEFICIARY_LIMIT = ErrorCode("BENREG0001", "The maximum number of beneficiaries for this mobile is already registered")
DUPLICATE_ID = ErrorCode("BENREG0002", "This photo ID is already registered; one ID can register one person only")
INVALID_ID_TYPE = ErrorCode("BENREG0003", "Invalid photo ID type")
INVALID_ID_NUMBER = ErrorCode("BENREG0004", "Invalid photo ID number")
INVALID_BIRTH_YEAR = ErrorCode("BENREG0005", "Invalid birth year")
INVALID_GENDER = ErrorCode("BENREG0006", "Invalid gender")
INVALID_COMORBIDITY = ErrorCode("BENREG0007", "comorbidity_ind must be Y or N")
INVALID_NAME = ErrorCode("BENREG0008", "Name is required: letters and spaces, at most 100 characters")
BENEFICIARY_NOT_FOUND = ErrorCode("BENREG0009", "No such beneficiary on this mobile number")
DELETE_AFTER_DOSE = ErrorCode("BENREG0010", "A beneficiary with a recorded dose cannot be deleted", 409)
CORRECTION_USED = ErrorCode("BENREG0011", "The one-time correction has already been used for this beneficiary", 409)
NOTHING_TO_CORRECT = ErrorCode("BENREG0012", "Give at least one of name, birth_year, gender_id to correct")
ID_NOT_VERIFIABLE = ErrorCode("BENREG0013", "This photo ID type cannot be verified online")
ID_MISMATCH = ErrorCode("BENREG0014", "The photo ID number does not match the one registered")
ID_PROVIDER_UNAVAILABLE = ErrorCode("BENREG0015", "The ID verification service is not responding, please try again",
                                    503)
ID_VERIFICATION_FAILED = ErrorCode("BENREG0016", "ID verification failed")
ID_VERIFICATION_TXN = ErrorCode("BENREG0017", "Invalid or expired ID verification transaction")
DELETE_WITH_APPOINTMENT = ErrorCode("BENREG0019", "Cancel the beneficiary's appointment before deleting", 409)
REGISTRATION_BUSY = ErrorCode("BENREG0018", "Registration could not be completed, please try again", 503)
TRAVEL_DETAILS_ADDED = ErrorCode("BENREG0020", "Passport details were already added for this beneficiary", 409)
INVALID_PASSPORT = ErrorCode("BENREG0021", "Invalid passport number")
INVALID_BIRTH_DATE = ErrorCode("BENREG0022", "birth_date must be a date YYYY-MM-DD in the registered birth year, "
                                             "not in the future")
INVALID_SURNAME = ErrorCode("BENREG0023", "surname must be the last word or words of the registered name")
BENEFICIARY_CHANGED = ErrorCode("BENREG0025", "The beneficiary changed meanwhile (a dose, a correction): please try "
                                              "again", 409)
INVALID_OCCUPATION = ErrorCode("BENREG0026", "Unknown occupation")
PASSPORTS_NOT_TAKEN = ErrorCode("BENREG0024", "This country's certificates do not carry passports")

# Planning and availability
INVALID_PINCODE = ErrorCode("APPOIN0018", "Invalid Pincode")
INVALID_SLOT_NAME = ErrorCode("PLANNG0001", "Invalid slot, expected like 09:00AM-11:00AM")
INVALID_CAPACITY = ErrorCode("PLANNG0002", "Invalid capacity")
SESSION_IN_PAST = ErrorCode("PLANNG0003", "A session cannot be planned for a past date")
SESSION_TOO_FAR = ErrorCode("PLANNG0004", "A session cannot be planned that far ahead")
UNKNOWN_VACCINE = ErrorCode("PLANNG0005", "Unknown vaccine")
INVALID_AGE_LIMIT = ErrorCode("PLANNG0006", "Invalid age limit")
INVALID_FEE = ErrorCode("PLANNG0007", "Invalid fee")
INVALID_DISTRICT = ErrorCode("PLANNG0008", "Invalid district id")
CAPACITY_BELOW_BOOKED = ErrorCode("PLANNG0009", "Capacity cannot drop below what is already booked", 409)
CENTER_NOT_FOUND = ErrorCode("PLANNG0010", "No such centre", 404)
SESSION_NOT_FOUND = ErrorCode("PLANNG0011", "No such session", 404)
SESSION_CANCELLED = ErrorCode("PLANNG0012", "This session is cancelled", 409)
PLAN_INVALID = ErrorCode("PLANNG0013", "The plan has errors; nothing was saved")
DUPLICATE_SESSION = ErrorCode("PLANNG0014", "A session for this centre, date and vaccine already exists", 409)
NOT_FACILITY_STAFF = ErrorCode("PLANNG0015", "Only vaccinators and verifiers of the session's centre can be allocated")
INVALID_STAFF_ROLE = ErrorCode("PLANNG0016", "role must be vaccinator or verifier")
CENTRE_HAS_SESSIONS = ErrorCode("PLANNG0017", "Cancel the centre's future sessions before deactivating it", 409)
CENTRE_INACTIVE = ErrorCode("PLANNG0018", "This centre is inactive", 409)
STAFF_ELSEWHERE = ErrorCode("PLANNG0019", "This mobile already belongs to staff of another facility or role", 409)
BEYOND_STOCK = ErrorCode("PLANNG0020", "The session's capacity is beyond the vaccine stock expected at the centre "
                                       "on its date", 409)
OUT_OF_SCOPE = ErrorCode("USRAUT0022", "This is outside the area you administer", 403)
INVALID_CENTER = ErrorCode("APPOIN0016", "Invalid center id")
INVALID_COORDINATES = ErrorCode("APPOIN0019", "Invalid latitude or longitude")

# Booking
INVALID_DOSE = ErrorCode("APPOIN0011", "dose must be 1, 2 or 3 (the precaution dose after a two-dose series)")
TOO_MANY_BENEFICIARIES = ErrorCode("APPOIN0012", "Too many beneficiaries in one appointment")
BOOKING_SESSION_NOT_FOUND = ErrorCode("APPOIN0013", "Invalid session id")
INVALID_SLOT = ErrorCode("APPOIN0015", "The slot is not one of this session's slots")
SESSION_OVER = ErrorCode("APPOIN0017", "This session's date has passed")
AGE_NOT_ELIGIBLE = ErrorCode("APPOIN0020", "The beneficiary's age is outside this session's limits")
DOSE_ORDER = ErrorCode("APPOIN0021", "This dose cannot be booked for this beneficiary")
DIFFERENT_VACCINE = ErrorCode("APPOIN0022", "Dose 2 must be the same vaccine as dose 1")
OUTSIDE_INTERVAL = ErrorCode("APPOIN0023", "Dose 2 is outside the vaccine's interval after dose 1")
ALREADY_BOOKED = ErrorCode("APPOIN0024", "The beneficiary already has an appointment for this dose", 409)
APPOINTMENT_NOT_FOUND = ErrorCode("APPOIN0025", "No such appointment on this mobile number", 404)
RESCHEDULE_LIMIT = ErrorCode("APPOIN0026", "This appointment cannot be rescheduled again", 409)
NOT_CANCELLABLE = ErrorCode("APPOIN0027", "This appointment can no longer be cancelled", 409)
ID_VERIFICATION_NEEDED = ErrorCode("APPOIN0028", "The beneficiary's photo ID must be verified before booking")
INVALID_CAPTCHA = ErrorCode("APPOIN0029", "Invalid captcha")
FULLY_BOOKED = ErrorCode("APPOIN0040", "This vaccination center is completely booked for the selected date. "
                                      "Please try another date or vaccination center.", 409)
BOOKING_BUSY = ErrorCode("APPOIN0041", "Too many bookings at once, please try again", 503)
# The programme (domain/programmes.py): cohorts, vaccines per cohort, precaution doses.
NOT_IN_OPEN_COHORT = ErrorCode("APPOIN0050", "No cohort open for vaccination on this date includes this beneficiary")
VACCINE_NOT_FOR_COHORT = ErrorCode("APPOIN0051", "This vaccine is not given to this beneficiary's cohort")
PRECAUTION_NOT_ALLOWED = ErrorCode("APPOIN0052", "This vaccine is not a precaution dose after this primary series")
MIXED_DOSE_KINDS = ErrorCode("APPOIN0053", "Book a precaution dose separately from primary doses")
IDEMPOTENCY_KEY_REUSED = ErrorCode("USRRES0422", "This Idempotency-Key was used for a different request", 422)
IDEMPOTENCY_IN_PROGRESS = ErrorCode("USRRES0409", "The first request with this Idempotency-Key is still running", 409)
TOO_MANY_REQUESTS = ErrorCode("USRRES0429", "Too many requests, please wait and try again", 429)

# Vaccination (dose capture)
NOT_ALLOCATED = ErrorCode("VACCIN0001", "You are not allocated to this session", 403)
WRONG_VACCINE = ErrorCode("VACCIN0002", "The vaccine must be the session's vaccine")
DOSE_ALREADY_RECORDED = ErrorCode("VACCIN0003", "This dose is already recorded for this beneficiary", 409)
WRONG_SECURITY_CODE = ErrorCode("VACCIN0004", "Wrong security code")
APPOINTMENT_LOCKED = ErrorCode("VACCIN0005", "Too many wrong security codes: this appointment is locked until "
                                            "a facility admin unlocks it", 423)
ID_CHECK_FAILED = ErrorCode("VACCIN0006", "The photo ID type or its last 4 characters do not match the beneficiary")
NOT_VERIFIED = ErrorCode("VACCIN0007", "Verify the appointment at the door first, or record the photo ID check "
                                      "(photo_id_type and id_last4)", 409)
APPOINTMENT_ELSEWHERE = ErrorCode("VACCIN0008", "The beneficiary has an appointment for this dose in another "
                                               "session; it must be cancelled first (the citizen can do it from "
                                               "their phone)", 409)
NO_CAPACITY_LEFT = ErrorCode("VACCIN0009", "This session has no capacity left for this dose", 409)
INVALID_BATCH_NUMBER = ErrorCode("VACCIN0010", "Invalid batch number: 3-20 letters, digits or - / .")
INVALID_DOSE_TIME = ErrorCode("VACCIN0011", "Invalid time of the dose")
DOSE_NOT_FOUND = ErrorCode("VACCIN0012", "No such dose recorded for this beneficiary", 404)
SESSION_NOT_TODAY = ErrorCode("VACCIN0013", "Doses are recorded in real time only for today's sessions", 409)
INVALID_AEFI = ErrorCode("VACCIN0014", "Invalid adverse event report")
OFFLINE_BATCH_INVALID = ErrorCode("VACCIN0015", "records must be a list of 1 to 100 records")
VACCINATION_BUSY = ErrorCode("VACCIN0016", "The record could not be saved, please try again", 503)
INVALID_CORRECTION = ErrorCode("VACCIN0017", "Invalid correction")
INVALID_REPORT_RANGE = ErrorCode("VACCIN0018", "Invalid report range")
NOT_LOCKED = ErrorCode("VACCIN0019", "This appointment is not locked", 409)
APPOINTMENT_NOT_HERE = ErrorCode("VACCIN0020", "No booked appointment for this beneficiary in this session", 404)
SESSION_CLOSED = ErrorCode("VACCIN0021", "This session is closed: no more doses are recorded at it", 409)

# Vaccine stock (docs/stock.md)
STOCK_NOT_TRACKED = ErrorCode("STOCK0001", "This country keeps its vaccine stock elsewhere (its pack's stock_tracking "
                                           "is off)", 409)
INVALID_EXPIRY = ErrorCode("STOCK0002", "Invalid expiry_date: DD-MM-YYYY, not already past")
INVALID_VIALS = ErrorCode("STOCK0003", "vials must be a whole number from 1 to 100000")
INVALID_DOSES_PER_VIAL = ErrorCode("STOCK0004", "doses_per_vial must be a whole number from 1 to 50")
BATCH_MISMATCH = ErrorCode("STOCK0005", "This batch was first received with another vaccine, expiry date or doses "
                                        "per vial", 409)
NO_SUCH_BATCH = ErrorCode("STOCK0006", "This batch was never received at this centre", 409)
BATCH_EXPIRED = ErrorCode("STOCK0007", "This batch has expired", 409)
NO_VIAL_LEFT = ErrorCode("STOCK0008", "No unopened vial of this batch is left at this centre", 409)
SESSION_NOT_STARTED = ErrorCode("STOCK0009", "A session is closed on or after its day, not before", 409)
TOO_MANY_OPEN_VIALS = ErrorCode("STOCK0010", "Too many vials with doses left to close in one go", 409)

# Assisted registration (operators acting for citizens)
# One answer for every consent that cannot be used (none, forged, expired, another operator's).
CONSENT_REQUIRED = ErrorCode("ASSIST0001", "The citizen's consent is missing, expired or not yours: ask for it "
                                           "again (POST /v2/assisted/consent)", 403)
OPERATOR_NOT_FOUND = ErrorCode("ASSIST0002", "No such operator in your area", 404)
OPERATOR_INACTIVE = ErrorCode("ASSIST0003", "This operator account is not active: ask your area's admin", 403)

# Grievances (docs/grievances.md)
GRIEVANCE_NOT_FOUND = ErrorCode("GRIEV0001", "No such issue for you", 404)
GRIEVANCE_STATE = ErrorCode("GRIEV0002", "This issue has moved on: it cannot be moved so", 409)
GRIEVANCES_OPEN_LIMIT = ErrorCode("GRIEV0003", "This mobile has as many open issues as it may: wait for one to be "
                                               "resolved", 409)
GRIEVANCE_OPEN_FOR_MEMBER = ErrorCode("GRIEV0004", "An issue about this member is open already: wait for it to be "
                                                   "resolved", 409)
GRIEVANCE_NOT_REPAIRABLE = ErrorCode("GRIEV0005", "This repair cannot be made", 409)
GRIEVANCE_NO_AREA = ErrorCode("GRIEV0006", "Say in which district to raise this issue (district_id): no dose of "
                                           "this member says")
GRIEVANCE_BUSY = ErrorCode("GRIEV0007", "The records this issue repairs changed meanwhile: look again and retry", 409)
GRIEVANCE_OWN = ErrorCode("GRIEV0008", "You raised this issue: another officer of the area handles it", 403)
# KYC-VS: third parties' status checks with the person's consent (docs/kycvs.md)
INVALID_SCOPES = ErrorCode("KYCVS0001", "scopes must be a non-empty list of: status, precaution")
CHECKER_NOT_FOUND = ErrorCode("KYCVS0002", "No such verifier", 404)

# Platform
INTERNAL = ErrorCode("TEEKA0500", "Something went wrong on our side, please try again", 500)

# Certificates
CERTIFICATE_NOT_READY = ErrorCode("CERTIF0001", "No certificate yet: it is issued within minutes of a recorded dose",
                                  404)
INVALID_CERTIFICATE_QUERY = ErrorCode("CERTIF0002", "qr must be the text of a certificate's QR code")
INVALID_REVOCATION_CURSOR = ErrorCode("CERTIF0003", "Invalid since or next")
NO_TRAVEL_DETAILS = ErrorCode("CERTIF0004", "No international certificate: add the beneficiary's passport details "
                                            "first (POST /v2/registration/beneficiary/passport)", 404)
NO_INTERNATIONAL_FORMAT = ErrorCode("CERTIF0005", "No international certificate in this format for this vaccine", 404)
UNKNOWN_SIGNING_KEY = ErrorCode("CERTIF0006", "No such signing key", 404)

# Document locker (docs/document-locker.md)
LOCKER_PARTNER_REFUSED = ErrorCode("LOCKER0001", "The request is not signed by the document locker: check orgId, "
                                                 "ts (within 5 minutes) and the HMAC of the body", 403)
LOCKER_NO_CONSENT = ErrorCode("LOCKER0002", "The person has not linked this locker account to this certificate's "
                                            "beneficiary (or withdrew the link)", 403)
LOCKER_NO_DOCUMENT = ErrorCode("LOCKER0003", "No certificate matches", 404)
LOCKER_REPLACED = ErrorCode("LOCKER0004", "This certificate was replaced by a corrected one: pull replacedBy", 410)
LOCKER_NOT_OFFERED = ErrorCode("LOCKER0005", "There is no document locker in this country", 404)
INVALID_LOCKER_ID = ErrorCode("LOCKER0006", "locker_id must be the locker account's id (a UUID)")

# Public reports
INVALID_REPORT_DATE = ErrorCode("REPORT0001", "Invalid date: expected YYYY-MM-DD, not in the future")
INVALID_REPORT_AREA = ErrorCode("REPORT0002", "Invalid state_id or district_id (a district must be in the state given)")
