# The two commands a newcomer needs:
#   make demo   install, then prepare -> classify -> report on the bundled seeds/ with models/default
#   make test   install (with test tools), then run the test suite
VENV := .venv
BIN := $(VENV)/bin
OUT := out/seeds

.PHONY: install install-test demo test bench default-model soup-model large-model clean

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

# Rebuild models/default from ../shared/data/newsmtsc: 8 cross-fitted all-mpnet-base-v2 teachers,
# a MiniLM student distilled from them on the dev split, then refit on all of train (README, "The
# default model"). Measured: teachers 276 s and students 85 s on one H100, refit 33 minutes on 2 cores.
# On 2 CPU cores a teacher took 1,855 to 1,971 s with CPU_BF16=--cpu-bf16 (epochs 518 to 576 s, 856 s in
# fp32; 2,154 s beside a test run): 4.3 hours for eight; then the student 1,518 s and the refit 2,377 s.
# Each finished teacher is kept in $(TEACHERS) and reused by a rerun. The refit stays fp32, as the
# shipped model's did. Those bf16 times need a CPU with native bf16 (AVX512-BF16 or AMX); elsewhere
# --cpu-bf16 trains in fp32 and says so. Students and refit keep checkpoints: rerun after a kill to
# resume. DEVICE=cuda.
DEVICE ?= auto
CPU_BF16 ?=
XFIT := runs/xfit
TEACHERS := data/teachers/newsmtsc-mpnet-8
default-model: install
	$(BIN)/python scripts/fetch_teacher_base.py
	$(BIN)/python scripts/crossfit_distill.py teachers --teacher-base runs/bases/all-mpnet-base-v2 --folds 8 \
		--fold-dir $(TEACHERS) --device $(DEVICE) $(CPU_BF16) --out $(XFIT)
	$(BIN)/python scripts/crossfit_distill.py students --logits $(XFIT)/teacher_logits.npz --recipes kd-aug \
		--device $(DEVICE) $(CPU_BF16) --out $(XFIT)
	$(BIN)/python scripts/crossfit_distill.py refit --logits $(XFIT)/teacher_logits.npz --calibrate-with $(XFIT)/model \
		--device $(DEVICE) --out models/default

# The previous default: a soup of three plain MiniLM fine-tunes (about 27 minutes on 2 idle cores).
soup-model: install
	$(BIN)/python scripts/train_default.py --out models/soup --log runs/train_default.jsonl

# The accuracy-first model: all-mpnet-base-v2 (from PyPI) fine-tuned the same way into models/large
# (110M parameters, 210 MB, about 45 minutes on 2 idle cores; not shipped). Needs ../shared/data.
large-model: install
	$(BIN)/python scripts/fetch_teacher_base.py
	$(BIN)/python scripts/train_default.py --single --base runs/bases/all-mpnet-base-v2 --lr 3e-5 --epochs 3 \
		--out models/large --log runs/train_large.jsonl

clean:
	rm -rf out .pytest_cache
