#!/usr/bin/env bash
# Regenerate test/fixtures/keras/*.expected.json with real Keras.
#
#   tools/keras-truth/generate.sh                 # all fixtures
#   tools/keras-truth/generate.sh path/to/x.py    # only these
#   tools/keras-truth/generate.sh --check         # verify committed outputs
#
# KERAS_VENV=/path/to/venv   use an existing venv (e.g. KERAS_VENV=/work/kvenv)
# PIP_INDEX_URL=...          where pip finds tensorflow-cpu (ordinary pip env var)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
VENV="${KERAS_VENV:-$REPO/.cache/keras-venv}"
TF_PIN="tensorflow-cpu==2.21.0"
KERAS_PIN="keras==3.15.1"

if [ ! -x "$VENV/bin/python" ]; then
  echo "keras-truth: creating venv in $VENV" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --upgrade pip
fi

if ! "$VENV/bin/python" -c "import tensorflow, keras" >/dev/null 2>&1; then
  echo "keras-truth: installing $TF_PIN $KERAS_PIN into $VENV" >&2
  "$VENV/bin/pip" install --quiet "$TF_PIN" "$KERAS_PIN"
fi

have="$("$VENV/bin/python" -c 'import keras; print(keras.__version__)' 2>/dev/null)"
if [ "$have" != "${KERAS_PIN#keras==}" ]; then
  echo "keras-truth: warning: venv has keras $have, fixtures were generated with ${KERAS_PIN#keras==}" >&2
fi

cd "$REPO"
exec "$VENV/bin/python" "$HERE/generate.py" "$@"
