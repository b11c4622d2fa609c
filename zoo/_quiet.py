"""TensorFlow's start-up lines, held back.

TensorFlow 2.21 writes a few lines from C++ to the process's standard error when
it is imported and when it first looks for devices, before its own log level
applies (``TF_CPP_MIN_LOG_LEVEL`` does not stop them): "oneDNN custom operations
are on", "Could not find cuda drivers", "This TensorFlow binary is optimized
...", and on a machine without a GPU an error-looking ``E0000 ... failed call to
cuInit``. :func:`start_tensorflow` runs that start-up with file descriptor 2
pointed at a temporary file, then writes back every line that is *not* one of
those known ones, so a real error still shows. The held-back lines are kept in
``HELD_BACK`` (``python -m zoo --verbose`` prints them).
"""

import os
import re
import sys
import tempfile

KNOWN = re.compile(
    r"All log messages before absl::InitializeLog|oneDNN custom operations are on"
    r"|Could not find cuda drivers|failed call to cuInit|Unable to register cu\w+ factory"
    r"|This TensorFlow binary is optimized|the following instructions: .* rebuild TensorFlow"
    r"|TF-TRT Warning"
)
HELD_BACK = []


def start_tensorflow():
    """Import TensorFlow and list its devices with the known start-up lines held back."""
    with tempfile.TemporaryFile() as captured:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow as tf

            tf.config.list_physical_devices()
        except ImportError:
            pass  # no TensorFlow: Keras says so when it needs it
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
        captured.seek(0)
        text = captured.read().decode("utf-8", errors="replace")
    for line in text.splitlines(keepends=True):
        if KNOWN.search(line):
            HELD_BACK.append(line)
        else:
            sys.stderr.write(line)
    sys.stderr.flush()
