"""e-KYC decision rules (lending/kyc.py): name similarity, thresholds, missing answers → manual review."""

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from pinjaman_online.lending import kyc

SETTINGS = settings(max_examples=200, deadline=None, database=None)
NIK = "3201015506900001"
EXPECTED = kyc.Expected(nik=NIK, name="Sari Wulandari", birth_date=date(1990, 6, 15))
LIMITS = kyc.Thresholds(face_verify_min=80, face_reject_below=60, name_similarity_min=85)
OK_OCR = kyc.OcrResult(nik=NIK, name="SARI WULANDARI")
OK_REG = kyc.RegistryResult(found=True, name_match=True, birth_date_match=True)


def decide(ocr=OK_OCR, face=92.5, registry=OK_REG, limits=LIMITS):
	return kyc.decide(EXPECTED, ocr, face, registry, limits)


def test_all_checks_pass_verifies():
	d = decide()
	assert d.outcome == kyc.VERIFIED
	assert d.checks == {"ocr": "pass", "name": "pass", "face": "pass", "registry": "pass"}
	assert not d.rejections and not d.review_reasons


def test_face_thresholds():
	assert decide(face=80).outcome == kyc.VERIFIED
	assert decide(face=79.99).outcome == kyc.REVIEW
	assert decide(face=60).outcome == kyc.REVIEW
	low = decide(face=59.9)
	assert low.outcome == kyc.REJECTED and low.rejections == [kyc.R_FACE_MISMATCH]


def test_nik_mismatch_and_unreadable_ktp_reject():
	assert decide(ocr=kyc.OcrResult("3201015506900002", "Sari Wulandari")).rejections == [kyc.R_NIK_MISMATCH]
	assert decide(ocr=kyc.OcrResult("", None)).rejections == [kyc.R_KTP_UNREADABLE]
	# Separators the OCR may keep do not matter.
	assert decide(ocr=kyc.OcrResult("3201-0155-0690-0001", "Sari Wulandari")).outcome == kyc.VERIFIED


def test_registry_answers():
	assert decide(registry=kyc.RegistryResult(found=False)).rejections == [kyc.R_REGISTRY_NOT_FOUND]
	assert decide(registry=kyc.RegistryResult(True, True, False)).rejections == [kyc.R_REGISTRY_MISMATCH]
	assert decide(registry=kyc.RegistryResult(True, None, None)).outcome == kyc.VERIFIED


def test_every_failure_is_listed():
	d = decide(face=10, registry=kyc.RegistryResult(found=False))
	assert d.outcome == kyc.REJECTED
	assert d.rejections == [kyc.R_FACE_MISMATCH, kyc.R_REGISTRY_NOT_FOUND]


def test_missing_answers_go_to_manual_review_never_rejection():
	d = decide(ocr=None, face=None, registry=None)
	assert d.outcome == kyc.REVIEW and not d.rejections
	assert d.checks == {"ocr": "missing", "name": "missing", "face": "missing", "registry": "missing"}
	assert decide(face=None).review_reasons == [kyc.V_FACE_MISSING]


def test_partly_similar_name_goes_to_review():
	d = decide(ocr=kyc.OcrResult(NIK, "SITI WULANSARI"))
	assert d.outcome == kyc.REVIEW and d.review_reasons == [kyc.V_NAME_UNSURE]
	assert d.name_similarity < 85


def test_name_similarity_ignores_case_punctuation_accents_and_word_order():
	assert kyc.name_similarity("Sari Wulandari", "SARI  WULANDARI.") == 100
	assert kyc.name_similarity("Wulandari, Sari", "sari wulandari") == 100
	assert kyc.name_similarity("Séna Pratama", "SENA PRATAMA") == 100
	assert kyc.name_similarity("", "Sari") == 0
	assert kyc.name_similarity("Budi Santoso", "Sari Wulandari") < 60


names = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Zs")), max_size=40)


@SETTINGS
@given(names, names)
def test_name_similarity_is_bounded_and_reflexive(a, b):
	s = kyc.name_similarity(a, b)
	assert 0 <= s <= 100
	if kyc.normalize_name(a):
		assert kyc.name_similarity(a, a) == 100


@SETTINGS
@given(st.floats(min_value=0, max_value=100, allow_nan=False))
def test_outcome_is_monotonic_in_the_face_score(score):
	order = {kyc.REJECTED: 0, kyc.REVIEW: 1, kyc.VERIFIED: 2}
	lower = decide(face=max(score - 5, 0)).outcome
	assert order[lower] <= order[decide(face=score).outcome]
