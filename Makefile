# Two commands set everything up from a fresh clone: `make run` and `make test`.
VENV   := .venv
BIN    := $(VENV)/bin
PYTHON ?= python3
HOST   ?= 127.0.0.1
PORT   ?= 5000
export FLASK_APP := app
# Unset, FRONTDESK_ENV means production, which refuses to start without real secrets: every
# target here is development but `make serve` (and `make loadtest`, which sets its own).
export FRONTDESK_ENV ?= development

.PHONY: run test bench eval eval-de loadtest serve lint install install-test install-eval system-packages clean translations

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

$(VENV)/.installed-eval: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[test,eval]'
	touch $@ $(VENV)/.installed-test $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test
install-eval: $(VENV)/.installed-eval

## run: install, migrate, check content, seed demo orders, serve on http://127.0.0.1:5000
# Links in emails (demo ones included) point where `make run` serves, unless SITE_URL says.
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: install
	$(BIN)/flask db upgrade
	-$(BIN)/flask content check
	$(BIN)/flask content index --changed
	$(BIN)/flask demo seed
	@echo
	@echo "  Help center: http://$(HOST):$(PORT)/"
	@echo
	MAIL_SEND_AFTER_REQUEST=1 $(BIN)/flask run --host $(HOST) --port $(PORT)

## test: the whole suite, browser tests included
test: install-test system-packages
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest

## system-packages: Debian packages the tests use (installed when we are root)
system-packages:
	@sh .ci/system-packages

## translations: collect the marked strings, add new ones to each language's catalogue
## (app/translations/<lang>/LC_MESSAGES/messages.po: translate them there), compile them
translations: install
	$(BIN)/pybabel extract -F app/translations/babel.cfg -k lazy_gettext -k N_ -k _l -k Plural:1,2 --no-location \
		--project=Frontdesk --copyright-holder=Frontdesk -o app/translations/messages.pot .
	$(BIN)/pybabel update --ignore-obsolete -i app/translations/messages.pot -d app/translations
	$(BIN)/pybabel compile -d app/translations

## bench: speed figures, printed as tables
bench: install-test system-packages
	$(BIN)/python -m tests.bench

## eval: search relevance on a help center with labelled queries, beside SQLite FTS5 and tantivy
##       (make eval CONTENT=../shared/corpora/arduino-help-center)
CONTENT ?= ../shared/corpora/arduino-help-center
eval: install-eval
	$(BIN)/python -m tests.eval "$(CONTENT)"

## eval-de: the same for the German sample content, with its labelled German queries
eval-de: install-eval
	$(BIN)/python -m tests.eval content --language de --queries tests/eval/queries-de.tsv

## loadtest: 50 customers for 60 s against gunicorn on PostgreSQL, then checks every write
## loadtest VIA=nginx: the same through nginx's proxy_cache, with what the cache answered
loadtest: install-test
	LOAD_VIA=$(VIA) $(BIN)/python -m tests.load.run

## serve: production-style serving with gunicorn
serve: install
	FRONTDESK_ENV=production $(BIN)/flask db upgrade
	FRONTDESK_ENV=production $(BIN)/flask content index --changed
	FRONTDESK_ENV=production $(BIN)/gunicorn --config gunicorn.conf.py "app:create_app()"

## lint: ruff's checks and formatting, and mypy's types (pyproject.toml's [tool.mypy])
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
