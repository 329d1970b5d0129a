# The two commands a newcomer needs:
#   make demo   install, then prepare -> classify -> report on the bundled seeds/ with models/default
#   make test   install (with test tools), then run the test suite
VENV := .venv
BIN := $(VENV)/bin
OUT := out/seeds

.PHONY: help install install-test demo test bench default-model newsmtsc-model soup-model large-model clean

help:
	@echo "make demo    install, then prepare -> classify -> report on seeds/ (out/seeds/report/report.html)"
	@echo "make test    install with test tools, then run the test suite"
	@echo "make bench   the benchmark suite on models/default (reads ../shared/data)"
	@echo "make default-model | newsmtsc-model | soup-model | large-model   training recipes (hours on a CPU)"
	@echo "make clean   remove out/ and caches"

install:
	bash scripts/install.sh

install-test:
	bash scripts/install.sh test

demo: install
	$(BIN)/stance prepare seeds/ --out $(OUT)/items.jsonl
	$(BIN)/stance classify $(OUT)/items.jsonl --task both --out $(OUT)/predictions.jsonl
	$(BIN)/stance classify data/seed_labels.jsonl --out $(OUT)/gold_predictions.jsonl --no-summary
	$(BIN)/stance evaluate $(OUT)/gold_predictions.jsonl --by source --out $(OUT)/metrics.json
	$(BIN)/stance report $(OUT)/predictions.jsonl --gold $(OUT)/gold_predictions.jsonl --model models/default --out $(OUT)/report

test: install-test
	$(BIN)/python -m pytest tests

bench:
	$(BIN)/python scripts/bench_suite.py models/default

# Rebuild models/default: models/newsmtsc-v16 continued on five public stance sets at once (NewsMTSC train,
# TweetEval stance train, the training folds of VAST dev, BASIL train and PerSenT dev; temperature sampling,
# unmarked views; docs/model.md), then temperature-calibrated on the suite's dev parts. About 71 minutes on
# 2 cores (4,258 s for 3 epochs). Needs ../shared/data.
default-model: install
	$(BIN)/python scripts/train_multidomain.py --base models/newsmtsc-v16 --out runs/md-a --dev-parts-out runs/dev_parts.jsonl
	$(BIN)/stance calibrate runs/md-a runs/dev_parts.jsonl
	$(BIN)/python scripts/bench_suite.py runs/md-a models/newsmtsc-v16
	@echo "runs/md-a is the candidate: copy it to models/default if its suite mean beats the current default's"

# Rebuild models/newsmtsc-v16 (the NewsMTSC-only model, the default until 2026-12-02) from ../shared/data/newsmtsc: 8 cross-fitted all-mpnet-base-v2 teachers, each
# labelling 16 edited variants per training item (--views 16), a MiniLM kd-aug student distilled from them on
# the dev split (seed 13), then refit on all of train (README, "The default model"). On 2 CPU cores (all
# in fp32 on an AVX2-only CPU; --cpu-bf16 uses bf16 autocast where the CPU has native bf16, AVX512-BF16 or
# AMX, and says so where it falls back): a teacher about 39 minutes (2,195 to 3,423 s each, 5 to 7 hours for
# eight), the student about 72 minutes in bf16, the refit 9,517 s (fp32, AVX2). Each finished teacher is kept in
# $(TEACHERS) (all eight are committed, so the teachers stage only rebuilds their scores, in seconds).
# Students and refit keep checkpoints: rerun after a kill to resume. DEVICE=cuda for a GPU. The shipped
# refit borrowed the previous default's temperature (its seed-13 student was gone; its card says so);
# this target fits the temperature on the student it trains.
DEVICE ?= auto
CPU_BF16 ?= --cpu-bf16
VIEWS := --views 16
XFIT := runs/xfit-v16
TEACHERS := data/teachers/newsmtsc-mpnet-8-v16
newsmtsc-model: install
	$(BIN)/python scripts/fetch_teacher_base.py
	$(BIN)/python research/crossfit_distill.py teachers $(VIEWS) --teacher-base runs/bases/all-mpnet-base-v2 --folds 8 \
		--fold-dir $(TEACHERS) --device $(DEVICE) $(CPU_BF16) --out $(XFIT)
	$(BIN)/python research/crossfit_distill.py students $(VIEWS) --logits $(XFIT)/teacher_logits.npz --recipes kd-aug \
		--device $(DEVICE) $(CPU_BF16) --out $(XFIT)
	$(BIN)/python research/crossfit_distill.py refit $(VIEWS) --logits $(XFIT)/teacher_logits.npz \
		--calibrate-with $(XFIT)/model --device $(DEVICE) $(CPU_BF16) --out models/newsmtsc-v16

# The previous default: a soup of three plain MiniLM fine-tunes (about 27 minutes on 2 idle cores).
soup-model: install
	$(BIN)/python research/train_default.py --out models/soup --log runs/train_default.jsonl

# The accuracy-first model: all-mpnet-base-v2 (from PyPI) fine-tuned the same way into models/large
# (110M parameters, 210 MB, about 45 minutes on 2 idle cores; not shipped). Needs ../shared/data.
large-model: install
	$(BIN)/python scripts/fetch_teacher_base.py
	$(BIN)/python research/train_default.py --single --base runs/bases/all-mpnet-base-v2 --lr 3e-5 --epochs 3 \
		--out models/large --log runs/train_large.jsonl

clean:
	rm -rf out .pytest_cache
