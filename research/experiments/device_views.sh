#!/bin/bash
# The teacher-labelled-variants experiment (crossfit_distill.py --views N) on a GPU machine lent through
# the `device` tool, whose calls each upload at most 64 MiB: the all-mpnet-base-v2 teacher base travels
# int8-packed in two parts (pack_base.py), everything else it needs is staged in .xfer/ (ignored by git).
#
#   here, once:  bash research/experiments/device_views.sh stage            (the project environment active)
#   call 1:      bash research/experiments/device_views.sh base                 carry: .xfer/mp0
#   call 2:      VIEWS=16 bash research/experiments/device_views.sh teachers    carry: .xfer/mp1 .xfer/newsmtsc .xfer/whl
#   call 3:      VIEWS=16 bash research/experiments/device_views.sh students    carry: .xfer/minilm .xfer/newsmtsc .xfer/whl
#                                                                               (+ .xfer/vN if the machine went cold)
# Calls 1 and 2 must find the same warm machine (its /tmp). The tracked models/default/model.safetensors
# (45 MB) must not travel: before each call move it away, `git rm --cached -q` it and list it in
# .git/info/exclude; put it back afterwards. Each file that comes back must stay under about 16 MB (the
# students stage cuts seed 13's model into 15 MB parts for the refit, which runs on 2 CPU cores here).
#
# teachers: eight cross-fitted teachers, four processes of two folds each (--only-folds), then assembled;
#           on an H200 at --views 8: 116 s. Returns teacher_logits.npz, teachers.json and each fold's scores.
# students: R1 (the teachers' mean-logit dev macro-F1 >= MIN_TEACHER), then kd-aug students, seed 13 alone
#           and seeds 14-16 at once (--jobs 3); prints R2: the four seeds' mean dev macro-F1 against BAR.
#           On an H200 at --views 8: 223 s (3 epochs), 344 s (EPOCHS=5).
# Environment: VIEWS (16), EPOCHS (0: the recipe's 3), BAR (0.786), MIN_TEACHER (0.83), W (/tmp),
# DEVICE (cuda), TEACHER (the unpacked base; another path skips the unpacking), EXTRA (more options for
# crossfit_distill.py, e.g. "--limit 150 --teacher-epochs 1" for a smoke run on a CPU with DEVICE=cpu),
# NOPIP (set: use the installed pydantic instead of .xfer/whl), TLIMIT / SLIMIT (seconds per process).
set -o pipefail
STAGE=${1:?usage: device_views.sh stage|base|teachers|students}
V=${VIEWS:-16}; W=${W:-/tmp}; DEVICE=${DEVICE:-cuda}; TEACHER=${TEACHER:-$W/mpnet}; OUT=${OUT:-$W/out}
export PYTHONPATH=$W/site PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
mkdir -p "$OUT"

install_pydantic() {  # the device image lacks pydantic; wheels for its Python (3.12) travel in .xfer/whl
  [ -n "$NOPIP" ] || python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target "$W/site" .xfer/whl/*.whl || exit 1
}

quiet() { grep -v "Loading weights"; }

case "$STAGE" in
stage)
  # two parts (58 + 53 MiB): each upload holds one part, the tracked files (about 2 MiB) and the rest it carries
  rm -rf .xfer/mp && python3 research/experiments/pack_base.py pack runs/bases/all-mpnet-base-v2 .xfer/mp --int8 --part-mb 58 || exit 1
  [ ! -e .xfer/mp/weights.part2 ] || { echo "the packed base needs more than two uploads" >&2; exit 1; }
  mkdir -p .xfer/mp0 .xfer/mp1 .xfer/newsmtsc .xfer/whl .xfer/minilm
  mv .xfer/mp/weights.part1 .xfer/mp1/ && mv .xfer/mp/* .xfer/mp0/ && rmdir .xfer/mp
  cp ../shared/data/newsmtsc/{train,devtest_rw,devtest_mt}.jsonl .xfer/newsmtsc/
  python3 -m pip download -q --only-binary=:all: --python-version 3.12 --no-deps -d .xfer/whl \
    pydantic pydantic-core annotated-types typing-extensions typing-inspection || exit 1
  python3 - <<'EOF' || exit 1
import shutil
from pathlib import Path

from safetensors.torch import load_file, save_file

from classifier.models.base import bundled_minilm_dir

source, target = bundled_minilm_dir(), Path(".xfer/minilm")
shutil.copytree(source, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.safetensors", "*.bin", "onnx"))
save_file({k: v.half() for k, v in load_file(source / "model.safetensors").items()}, target / "model.safetensors")
EOF
  du -sh .xfer/*
  ;;
base)
  mkdir -p "$W/mp" && cp .xfer/mp0/* "$W/mp/" && ls -la "$W/mp" && nproc
  nvidia-smi --query-gpu=name,memory.used --format=csv,noheader 2>/dev/null
  ;;
teachers)
  install_pydantic
  T0=$(date +%s)
  if [ "$TEACHER" = "$W/mpnet" ]; then
    cp .xfer/mp1/* "$W/mp/" && python3 research/experiments/pack_base.py unpack "$W/mp" --out "$W/mpnet" || exit 1
  fi
  C="--data .xfer/newsmtsc --views $V --folds 8 --teacher-base $TEACHER --device $DEVICE --fold-dir $W/v$V/teachers --out $W/v$V $EXTRA"
  N=$(nproc); P=$(( N / 4 > 0 ? N / 4 : 1 ))
  for i in 0 1 2 3; do
    taskset -c $(( (i * P) % N ))-$(( (i * P + P - 1) % N )) timeout "${TLIMIT:-420}" python3 research/crossfit_distill.py \
      teachers $C --only-folds $((2 * i + 1)) $((2 * i + 2)) 2>&1 | quiet > "$OUT/teachers-$i.log" &
  done
  wait
  echo "TEACHERS $(( $(date +%s) - T0 )) s"
  python3 research/crossfit_distill.py teachers $C 2>&1 | quiet | tail -4 | tee "$OUT/teachers.log"
  mkdir -p "$OUT/folds" && cp "$W/v$V/teacher_logits.npz" "$W/v$V/teachers.json" "$OUT/" && cp "$W/v$V"/teachers/*.npz "$OUT/folds/"
  grep -h "dev macro-F1" "$OUT"/teachers-*.log
  ;;
students)
  install_pydantic
  LOGITS=$W/v$V/teacher_logits.npz; TEACHERS=$W/v$V/teachers.json
  [ -f "$LOGITS" ] || { LOGITS=.xfer/v$V/teacher_logits.npz; TEACHERS=.xfer/v$V/teachers.json; }
  python3 -c "import json,sys; e=json.load(open('$TEACHERS'))['ensemble_dev_macro_f1']; print('R1 teachers', e); sys.exit(e < ${MIN_TEACHER:-0.83})" \
    || { echo "R1 FAILED"; exit 3; }
  T0=$(date +%s)
  L="--data .xfer/newsmtsc --views $V --student-base .xfer/minilm --logits $LOGITS --device $DEVICE --recipes kd-aug --epochs ${EPOCHS:-0} $EXTRA"
  N=$(nproc); Q=$(( N / 4 > 0 ? N / 4 : 1 ))
  taskset -c 0-$(( Q - 1 )) timeout "${SLIMIT:-560}" python3 research/crossfit_distill.py students $L --seeds 13 \
    --out "$W/s13" --split 15 2>&1 | quiet > "$OUT/s13.log" &
  taskset -c $(( Q % N ))-$(( N - 1 )) timeout "${SLIMIT:-560}" python3 research/crossfit_distill.py students $L \
    --seeds 14 15 16 --jobs 3 --out "$W/s14" 2>&1 | quiet > "$OUT/s14.log" &
  wait
  echo "STUDENTS $(( $(date +%s) - T0 )) s"
  cp "$W/s13/students.json" "$OUT/students13.json"; cp "$W/s14/students.json" "$OUT/students14.json"; cp "$W"/s13/model.tar.* "$OUT/"
  grep -h "epoch=\|^== " "$OUT/s13.log" "$OUT/s14.log"
  python3 -c "import json; r=[x['dev_macro_f1'] for f in ('$OUT/students13.json','$OUT/students14.json') for x in json.load(open(f))['results']]; print('R2 seeds', r, 'mean', sum(r)/len(r), 'PASS' if len(r) == 4 and sum(r)/len(r) >= ${BAR:-0.786} else 'FAIL')"
  ;;
*)
  echo "usage: device_views.sh stage|base|teachers|students" >&2; exit 2
  ;;
esac
