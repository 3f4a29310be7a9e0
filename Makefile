# replyqa: `make run` starts the app on the bundled samples, `make test` runs the tests (all of them, as CI
# does), `make test-fast` the ones that need no model, server, browser, killed process or fuzzing (under a minute).
# Both create .venv on first use and reuse it afterwards. (test-fast also leaves out OCR of scanned pages.)
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
export HF_HUB_OFFLINE ?= 1
export GRADIO_ANALYTICS_ENABLED ?= False
export ANONYMIZED_TELEMETRY ?= False

.PHONY: install model run test test-fast eval eval-ledger near-miss-data bench soak clean-index fit floors

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

model: install
	$(VENV)/bin/replyqa model

run: model
	$(PY) app.py

test: install
	$(PY) -m pytest -q

FAST := not model and not browser and not server and not processes and not fuzz and not ocr
test-fast: install
	$(PY) -m pytest -q -m "$(FAST)"

# Ingest and query speed at 1k and 10k chunks against the framework default (add BENCH_ARGS=--full for 100k),
# then OCR seconds per scanned page and ask latency while scans are read (bench/ocr.py), then the time per
# precedent check at 10k chunks (bench/precedent.py: over run.py's 10k index, or a cheap one it builds).
bench: model
	$(PY) bench/run.py $(BENCH_ARGS)
	$(PY) bench/ocr.py
	$(PY) bench/precedent.py

clean-index:
	rm -rf index

# The sample questions, the near misses over the sample archive (eval/unanswerable.jsonl, eval/attribute_swap.jsonl),
# the sample questions with an entity swapped for one the archive lacks (eval/README.md), a fixed 500-question
# sample of each benchmark's report fold (never fitted on: src/replyqa/evaluate/folds.py) with baselines, the
# paraphrases of the sample questions compared with the originals, the fictional in-genre set (eval/fictional: its report fold,
# replies and questions the answerer was never tuned on, and its development fold), DRCD test with answers removed (half removed, half kept
# questions; answers, not baselines: those never refuse), the sample questions over scanned copies, and
# eval-ledger (below).
# Benchmark indexes are cached in eval/out/work (gitignored); the table goes to eval/RESULTS.md and the README.
EVAL_OUT  ?= eval/out
EVAL_SEED ?= 7
# Answer-removed DRCD: every article with sibling paragraphs loses one; the most removed questions to sample from.
REMOVE_FRACTION ?= 1
# The sample questions asked again of scanned copies of the archive, one style at a time (read by OCR).
SCAN_STYLES ?= pdf jpg png
eval: model
	$(VENV)/bin/replyqa eval eval/questions.jsonl --corpus samples/replies --name samples --baselines \
		--out $(EVAL_OUT)/samples
	$(VENV)/bin/replyqa eval eval/unanswerable.jsonl --corpus samples/replies --name near-misses \
		--out $(EVAL_OUT)/near-misses
	$(VENV)/bin/replyqa eval eval/questions.jsonl --corpus samples/replies --entity-swap --seed $(EVAL_SEED) \
		--name entity-swap --out $(EVAL_OUT)/entity-swap
	$(VENV)/bin/replyqa eval eval/paraphrases.jsonl --corpus samples/replies --name paraphrases \
		--out $(EVAL_OUT)/paraphrases
	$(PY) -m replyqa.evaluate.paraphrases $(EVAL_OUT)/samples $(EVAL_OUT)/paraphrases
	$(VENV)/bin/replyqa eval --squad eval/benchmarks/DRCD_test.json --fold report --sample 500 --seed $(EVAL_SEED) \
		--baselines --name DRCD-test --work $(EVAL_OUT)/work --out $(EVAL_OUT)/drcd
	$(VENV)/bin/replyqa eval --squad eval/benchmarks/cmrc2018_dev.json --fold report --sample 500 --seed $(EVAL_SEED) \
		--baselines --name CMRC2018-dev --work $(EVAL_OUT)/work --out $(EVAL_OUT)/cmrc2018
	$(VENV)/bin/replyqa eval eval/attribute_swap.jsonl --corpus samples/replies --name attribute-swap \
		--out $(EVAL_OUT)/attribute-swap
	$(VENV)/bin/replyqa eval eval/fictional/report.jsonl --corpus eval/fictional/replies --name fictional \
		--out $(EVAL_OUT)/fictional
	$(VENV)/bin/replyqa eval eval/fictional/dev.jsonl --corpus eval/fictional/replies --name fictional-dev \
		--out $(EVAL_OUT)/fictional-dev
	$(VENV)/bin/replyqa eval --squad eval/benchmarks/DRCD_test.json --remove-answers $(REMOVE_FRACTION) --fold report \
		--sample 500 --seed $(EVAL_SEED) --name DRCD-test-answer-removed --work $(EVAL_OUT)/work --out $(EVAL_OUT)/drcd-removed
	for style in $(SCAN_STYLES); do \
		$(VENV)/bin/replyqa eval eval/questions.jsonl --corpus samples/replies --scan $$style --seed $(EVAL_SEED) \
			--name samples-scan-$$style --out $(EVAL_OUT)/scan-$$style || exit 1; \
	done
	$(MAKE) --no-print-directory eval-ledger
	$(PY) -m replyqa.evaluate --to eval/RESULTS.md --readme README.md $(EVAL_OUT)/samples/report.json \
		$(EVAL_OUT)/paraphrases/report.json $(EVAL_OUT)/near-misses/report.json $(EVAL_OUT)/attribute-swap/report.json $(EVAL_OUT)/entity-swap/report.json \
		$(EVAL_OUT)/fictional/report.json $(EVAL_OUT)/fictional-dev/report.json \
		$(EVAL_OUT)/drcd/report.json $(EVAL_OUT)/drcd-removed/report.json $(EVAL_OUT)/cmrc2018/report.json \
		$(foreach style,$(SCAN_STYLES),$(EVAL_OUT)/scan-$(style)/report.json) \
		--archive $(EVAL_OUT)/commitments/report.json $(EVAL_OUT)/counts/report.json $(EVAL_OUT)/precedent/report.json

# The ledger's extractor against the promises annotated by hand in the sample replies (eval/commitments.jsonl:
# recall, precision, due exact, condition, exact slices; no model), and the 30 questions that count replies
# (eval/count_questions.jsonl: count right, counted replies exact), asked through the product's answerer, and the
# precedent check on proposals written for the sample replies (eval/precedent_proposals.jsonl: hit@1, hit@3,
# repeats flagged, others not flagged; calibrated on eval/precedent_fit.jsonl, never on these).
eval-ledger: model
	$(VENV)/bin/replyqa eval-commitments eval/commitments.jsonl --corpus samples/replies --out $(EVAL_OUT)/commitments
	$(VENV)/bin/replyqa eval-counts eval/count_questions.jsonl --corpus samples/replies --out $(EVAL_OUT)/counts
	$(VENV)/bin/replyqa eval-precedent eval/precedent_proposals.jsonl --corpus samples/replies --out $(EVAL_OUT)/precedent

# What is fitted rather than set by hand, from the data named in each script (tests never fit):
# the reader (src/replyqa/data/reader/, from DRCD and CMRC 2018; under three hours on 2 cores) and
# LOW_OCR_CONFIDENCE, from degraded scans of the samples (eval/ocr_flag.json; about ten minutes), and the precedent
# check's similarity and repeat threshold, from eval/precedent_fit.jsonl (src/replyqa/data/precedent/; a minute).
fit: model
	$(PY) -m replyqa.answer.readerfit
	$(PY) eval/fit_ocr_flag.py --out eval/ocr_flag.json
	$(PY) eval/fit_precedent.py

# The answerer's refusal floors (answer/score.py) measured on the calibrate fold of DRCD and CMRC and on the
# fictional set's development fold: the current pair's refusal rates, the pair with the largest Youden's J, and
# the pair refusing the most off-archive questions within a 2% in-genre false-refusal budget (eval/floors.json
# and .png; four minutes once make eval has built the benchmark archives). Nothing reads the file: the floors
# stay as score.py sets them.
floors: model
	$(PY) eval/fit_floors.py --work $(EVAL_OUT)/work

# Near-miss data for fitting (eval/README.md): CMRC 2018 trial and dev with the answer sentence cut from half
# of the paragraphs (their articles have one paragraph each, so no sibling paragraph could stay), written to
# $(EVAL_OUT)/near-miss/<file>/. No model needed; a few seconds.
near-miss-data: install
	$(VENV)/bin/replyqa near-misses eval/benchmarks/cmrc2018_trial.json eval/benchmarks/cmrc2018_dev.json \
		--unit sentence --fraction 0.5 --seed $(EVAL_SEED) --out $(EVAL_OUT)/near-miss

# The full reliability run (docs/reliability.md): 1,200 fuzzed files, 1,000 fuzzed questions, ten kill points
# and the security tests, then SOAK_USERS simulated users asking the running app for SOAK_SECONDS on 127.0.0.1;
# the same while staff upload SOAK_INGEST replies (a third scans) and remove half; and SOAK_RESTART_USERS users while
# the Chroma server the app uses is restarted. CI (.ci/run) runs none of these.
SOAK_USERS   ?= 200
SOAK_SECONDS ?= 60
SOAK_INGEST  ?= 30
SOAK_RESTART_USERS ?= 20
SOAK_TESTS   := tests/test_fuzz_ingest.py tests/test_fuzz_questions.py tests/test_crashes.py tests/test_resume.py \
                tests/test_security.py
soak: model
	@status=0; \
	REPLYQA_FUZZ_FULL=1 $(PY) -m pytest -q $(SOAK_TESTS) || status=1; \
	$(PY) bench/soak.py --users $(SOAK_USERS) --seconds $(SOAK_SECONDS) || status=1; \
	$(PY) bench/soak.py --users $(SOAK_USERS) --seconds $(SOAK_SECONDS) --ingest-during $(SOAK_INGEST) || status=1; \
	$(PY) bench/soak.py --users $(SOAK_RESTART_USERS) --seconds $(SOAK_SECONDS) --restart-store || status=1; \
	exit $$status
