"""The TF.js APIs lstmkit does not have, each with what to use instead.

A ported program that reaches one gets `NotInLstmkitError` naming the TF.js call, why it is
not here and the replacement, instead of Python's bare "module has no attribute". The error
is an `AttributeError` too, so feature tests (`hasattr(tf, "loadGraphModel")`,
`getattr(tf.layers, "conv2d", None)`) still answer False / None.

lstmkit is the Layers API for sequence models on the CPU: browser-only APIs (the DOM, WebGL,
local storage), graph models and the image, signal and string families are out of its scope.
README.md ("Not in lstmkit") lists the same table.
"""

from __future__ import annotations

from typing import Any, NoReturn


class NotInLstmkitError(NotImplementedError, AttributeError):
    """A TF.js API that lstmkit does not implement; the message says what to use instead."""


_IMAGES = (
    "lstmkit's layers are for sequences (LSTM, GRU, SimpleRNN, conv1d, pooling1d); for images "
    "use Keras or PyTorch, or reshape rows of pixels into sequences"
)

TOP_LEVEL: dict[str, str] = {
    "loadGraphModel": "graph models (SavedModel / frozen graphs from tensorflowjs_converter) "
    "are not supported; convert the Keras model with `--output_format tfjs_layers_model` and "
    "use tf.loadLayersModel, or run the graph in onnxruntime",
    "loadGraphModelSync": "graph models are not supported; use tf.loadLayersModel on a Layers "
    "model (tensorflowjs_converter --output_format tfjs_layers_model)",
    "fft": "complex tensors are not supported; use numpy.fft.fft(x.numpy())",
    "ifft": "complex tensors are not supported; use numpy.fft.ifft(x.numpy())",
    "rfft": "complex tensors are not supported; use numpy.fft.rfft(x.numpy())",
    "irfft": "complex tensors are not supported; use numpy.fft.irfft(x.numpy())",
    "complex": "complex tensors are not supported; use NumPy's complex arrays",
    "real": "complex tensors are not supported; use numpy.real",
    "imag": "complex tensors are not supported; use numpy.imag",
    "conv2d": _IMAGES,
    "conv2dTranspose": _IMAGES,
    "conv3d": _IMAGES,
    "conv3dTranspose": _IMAGES,
    "depthwiseConv2d": _IMAGES,
    "separableConv2d": _IMAGES,
    "dilation2d": _IMAGES,
    "maxPool": _IMAGES,
    "maxPool3d": _IMAGES,
    "maxPoolWithArgmax": _IMAGES,
    "avgPool": _IMAGES,
    "avgPool3d": _IMAGES,
    "pool": _IMAGES,
    "batchToSpaceND": _IMAGES,
    "spaceToBatchND": _IMAGES,
    "depthToSpace": _IMAGES,
    "conv1d": "the core op is not exposed; use the layer tf.layers.conv1d({filters, "
    "kernelSize, strides, padding, dilationRate, useBias: false}) and set its kernel with "
    "setWeights",
    "basicLSTMCell": "use tf.layers.lstmCell / tf.layers.lstm (the fused LSTM kernel)",
    "multiRNNCell": "use tf.layers.stackedRNNCells, or stack tf.layers.lstm layers",
    "raggedGather": "ragged tensors are not supported; pad the rows (tf.preprocessing."
    "sequence.pad_sequences) and use a mask",
    "raggedRange": "ragged tensors are not supported; use Python lists or padded arrays",
    "raggedTensorToTensor": "ragged tensors are not supported; pad with pad_sequences",
    "registerKernel": "lstmkit has one backend (NumPy and its compiled loops): no kernel registry",
    "registerGradient": "register a gradient with tf.customGrad instead",
    "registerBackend": "lstmkit has one backend (NumPy and its compiled loops)",
    "profile": "use Python's profilers (cProfile) and tf.time(f) for the wall time",
    "disposeVariables": "variables are freed by Python when nothing refers to them; `del` them",
    "backend": "lstmkit has one backend, NumPy on the CPU (tf.getBackend() gives 'cpu')",
}

LAYERS: dict[str, str] = {
    name: _IMAGES
    for name in (
        "conv2d conv2dTranspose conv3d conv3dTranspose separableConv2d depthwiseConv2d "
        "cropping2D upSampling2d zeroPadding2d averagePooling2d avgPool2d avgPooling2d "
        "averagePooling3d avgPool3d avgPooling3d globalAveragePooling2d globalMaxPooling2d "
        "globalMaxPool2d maxPooling2d maxPool2d maxPooling3d resizing centerCrop"
    ).split()
}
LAYERS.update(
    {
        "convLstm2d": "ConvLSTM2D is an image-sequence layer lstmkit does not have; flatten each "
        "frame and use tf.layers.lstm, or use Keras",
        "convLstm2dCell": "ConvLSTM2D is an image-sequence layer lstmkit does not have; use "
        "tf.layers.lstmCell on flattened frames, or Keras",
    }
)

DATA: dict[str, str] = {
    "webcam": "there is no camera API in Python's lstmkit; capture frames with OpenCV "
    "(cv2.VideoCapture) and wrap them with tf.data.generator",
    "microphone": "there is no microphone API here; record with sounddevice or PyAudio and "
    "wrap the chunks with tf.data.generator",
}

NAMESPACES: dict[str, str] = {
    "browser": "lstmkit runs in Python, with no DOM: read images with Pillow and pass "
    "numpy.asarray(image) to tf.tensor; draw with matplotlib",
    "image": "image ops are not in lstmkit (a sequence-model library); use Pillow, "
    "scikit-image or OpenCV on NumPy arrays",
    "linalg": "use numpy.linalg on x.numpy() (qr, gram-schmidt via qr, band parts via "
    "numpy.triu/tril)",
    "signal": "use scipy.signal (stft, frame, windows) on NumPy arrays",
    "spectral": "use numpy.fft on NumPy arrays",
    "sparse": "use scipy.sparse on NumPy arrays",
    "string": "string tensors are not supported; tokenize in Python and pass integer ids",
}


def error(where: str, name: str, advice: str) -> NotInLstmkitError:
    """The error for TF.js's `where.name`, which lstmkit does not have."""
    return NotInLstmkitError(
        f"{where}.{name} (TF.js) is not in lstmkit: {advice}. README.md, 'Not in lstmkit', "
        "lists what TF.js has and lstmkit does not."
    )


def lookup(where: str, table: dict[str, str], name: str, module: str) -> NoReturn:
    """Raise the right error for a missing attribute `name` of `module` (TF.js's `where`)."""
    if name in table:
        raise error(where, name, table[name])
    raise AttributeError(f"module {module!r} has no attribute {name!r}")


class Namespace:
    """A TF.js namespace lstmkit does not have (`tf.browser`, `tf.image`, ...): any use of one
    of its members raises NotInLstmkitError with the replacement."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        raise error(f"tf.{self._name}", attr, NAMESPACES[self._name])

    def __repr__(self) -> str:
        return f"<tf.{self._name}: not in lstmkit; {NAMESPACES[self._name]}>"


def namespaces() -> dict[str, Namespace]:
    """One placeholder per missing TF.js namespace, keyed by its name."""
    return {name: Namespace(name) for name in NAMESPACES}
