# replyqa: `make run` starts the app on the bundled samples, `make test` runs the tests.
# Both create .venv on first use and reuse it afterwards.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
export HF_HUB_OFFLINE ?= 1
export GRADIO_ANALYTICS_ENABLED ?= False
export ANONYMIZED_TELEMETRY ?= False

.PHONY: install model run test eval bench soak clean-index

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

clean-index:
	rm -rf index
