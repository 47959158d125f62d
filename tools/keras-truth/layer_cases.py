"""Ground truth for the layer catalog: builds real Keras layers and records what they report.

Run with the project's Keras venv (offline is fine):

    /work/kvenv/bin/python tools/keras-truth/layer_cases.py

Writes test/fixtures/layer-cases.json, which test/analysis/layer-catalog.test.ts replays against
analysis/layers/catalog.ts. Each case is (class, constructor kwargs, input shapes, call options);
Keras builds the layer on `keras.Input`s and we record the symbolic output shape(s), the weights
(`layer.weights` order, short names, shapes, trainable), `layer.count_params()` and `layer.kernel`.
Config values that are Keras objects are written as {"$class": ..., "args": ...}, exactly the form
the evaluator hands to the catalog, and are constructed here from that form.
"""

import inspect
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
from keras import layers  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "layer-cases.json")

CASES = []


def case(cls, config=None, inputs=((None, 8),), options=None, py=None, error=False):
    """Registers one case. `py` overrides kwargs that cannot be JSON (Lambda functions).

    `error=True`: Keras must reject the case (the fixture then records the error, and the catalog
    is expected to answer with an unknown output rather than an impossible shape).
    """
    CASES.append(
        {
            "className": cls,
            "config": config or {},
            "inputs": [list(s) if s is not None else None for s in inputs],
            "options": options or {},
            "py": py or {},
            "error": error,
        }
    )


def obj(cls, **args):
    return {"$class": cls, "args": args}


# ---------------------------------------------------------------- core
case("InputLayer", {"shape": [28, 28, 1]}, inputs=[])
case("InputLayer", {"shape": [10], "batch_size": 32}, inputs=[])
case("InputLayer", {"batch_shape": [4, None, 3]}, inputs=[])
case("InputLayer", {"shape": [None, 16], "dtype": "int32", "name": "tokens"}, inputs=[])
case("Dense", {"units": 32}, inputs=[(None, 784)])
case("Dense", {"units": 10, "activation": "softmax"}, inputs=[(None, 128)])
case("Dense", {"units": 1, "use_bias": False}, inputs=[(None, 64)])
case("Dense", {"units": 64}, inputs=[(None, 10, 32)])
case("Dense", {"units": 8}, inputs=[(None, 4, 5, 6)])
case("Dense", {"units": 16, "kernel_regularizer": obj("L2", l2=0.01)}, inputs=[(None, 4)])
case("Dense", {"units": 16, "trainable": False}, inputs=[(None, 4)])
case("Dense", {"units": 3, "name": "logits"}, inputs=[(16, 7)])
case("Dense", {"units": 5}, inputs=[(None, None, 9)])
case("Dense", {"units": 6, "lora_rank": 2}, inputs=[(None, 10)])
case("EinsumDense", {"equation": "ab,bc->ac", "output_shape": 64, "bias_axes": "c"}, inputs=[(None, 32)])
case("EinsumDense", {"equation": "abc,cd->abd", "output_shape": [None, 64]}, inputs=[(None, 5, 16)])
case("EinsumDense", {"equation": "abc,cde->abde", "output_shape": [None, 4, 8], "bias_axes": "de"}, inputs=[(None, 7, 16)])
case("EinsumDense", {"equation": "...b,bc->...c", "output_shape": 12, "bias_axes": "c"}, inputs=[(None, 3, 4, 10)])
case("EinsumDense", {"equation": "abc,cd->abd", "output_shape": [5, 8], "bias_axes": "d"}, inputs=[(None, 5, 16)])
case("Embedding", {"input_dim": 1000, "output_dim": 64}, inputs=[(None, 10)])
case("Embedding", {"input_dim": 50, "output_dim": 8, "mask_zero": True}, inputs=[(None, None)])
case("Embedding", {"input_dim": 20, "output_dim": 4}, inputs=[(None,)])
case("Embedding", {"input_dim": 20, "output_dim": 4}, inputs=[(None, 3, 5)])
case("Activation", {"activation": "relu"}, inputs=[(None, 10)])
case("Activation", {"activation": "softmax"}, inputs=[(None, 4, 10)])
case("Identity", {}, inputs=[(None, 3, 3)])
case("Masking", {"mask_value": 0.0}, inputs=[(None, 10, 4)])
case("Masking", {}, inputs=[(None, 5, 2)])
case("Lambda", {"function": {"$unknown": "lambda x: x[:, :5]"}, "output_shape": [5]}, inputs=[(None, 10)],
     py={"function": lambda x: x[:, :5]})
case("Lambda", {"function": {"$unknown": "lambda x: x * 2"}, "output_shape": [4, 3]}, inputs=[(None, 4, 3)],
     py={"function": lambda x: x * 2})
case("Lambda", {"function": {"$unknown": "tf.expand_dims"}, "output_shape": [None, 1]}, inputs=[(2, 6)],
     py={"function": lambda x: keras.ops.expand_dims(x, -1)})

# ---------------------------------------------------------------- convolution
case("Conv1D", {"filters": 16, "kernel_size": 3}, inputs=[(None, 100, 8)])
case("Conv1D", {"filters": 16, "kernel_size": 3, "padding": "same"}, inputs=[(None, 100, 8)])
case("Conv1D", {"filters": 16, "kernel_size": 3, "padding": "causal", "dilation_rate": 2}, inputs=[(None, 100, 8)])
case("Conv1D", {"filters": 4, "kernel_size": 5, "strides": 2}, inputs=[(None, 50, 3)])
case("Conv1D", {"filters": 4, "kernel_size": 5, "strides": 3, "padding": "same"}, inputs=[(None, 50, 3)])
case("Conv1D", {"filters": 8, "kernel_size": 3, "groups": 2}, inputs=[(None, 20, 6)])
case("Conv1D", {"filters": 8, "kernel_size": [3], "data_format": "channels_first"}, inputs=[(None, 6, 20)])
case("Conv1D", {"filters": 8, "kernel_size": 3}, inputs=[(None, None, 6)])
case("Conv1D", {"filters": 8, "kernel_size": 4, "dilation_rate": 3, "use_bias": False}, inputs=[(None, 30, 2)])
case("Conv2D", {"filters": 32, "kernel_size": 3}, inputs=[(None, 28, 28, 1)])
case("Conv2D", {"filters": 32, "kernel_size": [3, 3], "activation": "relu", "padding": "same"}, inputs=[(None, 28, 28, 1)])
case("Conv2D", {"filters": 64, "kernel_size": [5, 3], "strides": [2, 1]}, inputs=[(None, 32, 32, 3)])
case("Conv2D", {"filters": 64, "kernel_size": 3, "strides": 2, "padding": "same"}, inputs=[(None, 31, 31, 3)])
case("Conv2D", {"filters": 16, "kernel_size": 3, "dilation_rate": 2}, inputs=[(None, 20, 20, 3)])
case("Conv2D", {"filters": 16, "kernel_size": 3, "dilation_rate": [2, 3], "padding": "same"}, inputs=[(None, 20, 20, 3)])
case("Conv2D", {"filters": 8, "kernel_size": 3, "data_format": "channels_first"}, inputs=[(None, 3, 32, 32)])
case("Conv2D", {"filters": 8, "kernel_size": 2, "strides": 2, "data_format": "channels_first", "padding": "same"}, inputs=[(None, 3, 33, 17)])
case("Conv2D", {"filters": 12, "kernel_size": 1, "groups": 3}, inputs=[(None, 8, 8, 6)])
case("Conv2D", {"filters": 4, "kernel_size": 3}, inputs=[(None, None, None, 3)])
case("Conv2D", {"filters": 4, "kernel_size": 3, "use_bias": False}, inputs=[(8, 10, 10, 2)])
case("Conv2D", {"filters": 4, "kernel_size": 3, "padding": "SAME"}, inputs=[(None, 10, 10, 2)])
case("Conv3D", {"filters": 8, "kernel_size": 3}, inputs=[(None, 16, 16, 16, 1)])
case("Conv3D", {"filters": 8, "kernel_size": [3, 2, 1], "strides": 2, "padding": "same"}, inputs=[(None, 15, 16, 17, 2)])
case("Conv3D", {"filters": 4, "kernel_size": 3, "data_format": "channels_first"}, inputs=[(None, 2, 10, 10, 10)])
case("Conv1DTranspose", {"filters": 8, "kernel_size": 3}, inputs=[(None, 10, 4)])
case("Conv1DTranspose", {"filters": 8, "kernel_size": 3, "strides": 2, "padding": "same"}, inputs=[(None, 10, 4)])
case("Conv1DTranspose", {"filters": 8, "kernel_size": 4, "strides": 2, "output_padding": 1}, inputs=[(None, 10, 4)])
case("Conv2DTranspose", {"filters": 16, "kernel_size": 3}, inputs=[(None, 7, 7, 32)])
case("Conv2DTranspose", {"filters": 16, "kernel_size": 3, "strides": 2, "padding": "same"}, inputs=[(None, 7, 7, 32)])
case("Conv2DTranspose", {"filters": 16, "kernel_size": 2, "strides": 3}, inputs=[(None, 7, 7, 32)])
case("Conv2DTranspose", {"filters": 16, "kernel_size": 3, "strides": 2, "padding": "same", "output_padding": 1}, inputs=[(None, 7, 7, 32)])
case("Conv2DTranspose", {"filters": 16, "kernel_size": 3, "strides": 2, "padding": "valid", "output_padding": [0, 1]}, inputs=[(None, 7, 7, 32)])
case("Conv2DTranspose", {"filters": 6, "kernel_size": 3, "dilation_rate": 2}, inputs=[(None, 5, 5, 3)])
case("Conv2DTranspose", {"filters": 6, "kernel_size": 3, "strides": 2, "data_format": "channels_first", "use_bias": False}, inputs=[(None, 3, 5, 6)])
case("Conv2DTranspose", {"filters": 6, "kernel_size": 3, "strides": 2}, inputs=[(None, None, 5, 3)])
case("Conv3DTranspose", {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"}, inputs=[(None, 4, 4, 4, 8)])
case("Conv3DTranspose", {"filters": 4, "kernel_size": [2, 3, 4], "strides": [1, 2, 3]}, inputs=[(None, 4, 4, 4, 8)])
case("DepthwiseConv2D", {"kernel_size": 3}, inputs=[(None, 28, 28, 16)])
case("DepthwiseConv2D", {"kernel_size": 3, "depth_multiplier": 2, "padding": "same", "strides": 2}, inputs=[(None, 28, 28, 16)])
case("DepthwiseConv2D", {"kernel_size": [3, 5], "use_bias": False}, inputs=[(None, 12, 12, 4)])
case("DepthwiseConv2D", {"kernel_size": 3, "depth_multiplier": 3, "data_format": "channels_first"}, inputs=[(None, 4, 12, 12)])
case("DepthwiseConv1D", {"kernel_size": 3, "depth_multiplier": 2}, inputs=[(None, 20, 4)])
case("SeparableConv2D", {"filters": 32, "kernel_size": 3}, inputs=[(None, 28, 28, 16)])
case("SeparableConv2D", {"filters": 32, "kernel_size": 3, "depth_multiplier": 2, "padding": "same", "use_bias": False}, inputs=[(None, 28, 28, 16)])
case("SeparableConv2D", {"filters": 8, "kernel_size": 3, "strides": 2, "data_format": "channels_first"}, inputs=[(None, 4, 15, 15)])
case("SeparableConv1D", {"filters": 16, "kernel_size": 5}, inputs=[(None, 40, 8)])
case("SeparableConv1D", {"filters": 16, "kernel_size": 5, "padding": "same", "depth_multiplier": 4}, inputs=[(None, 40, 8)])

# ---------------------------------------------------------------- pooling
case("MaxPooling1D", {}, inputs=[(None, 10, 4)])
case("MaxPooling1D", {"pool_size": 3, "strides": 1, "padding": "same"}, inputs=[(None, 10, 4)])
case("MaxPooling1D", {"pool_size": 3, "data_format": "channels_first"}, inputs=[(None, 4, 10)])
case("MaxPooling2D", {}, inputs=[(None, 28, 28, 32)])
case("MaxPooling2D", {"pool_size": [2, 2]}, inputs=[(None, 27, 27, 32)])
case("MaxPooling2D", {"pool_size": 3, "strides": 2}, inputs=[(None, 27, 27, 32)])
case("MaxPooling2D", {"pool_size": 3, "strides": 2, "padding": "same"}, inputs=[(None, 27, 27, 32)])
case("MaxPooling2D", {"pool_size": [2, 3], "data_format": "channels_first"}, inputs=[(None, 3, 12, 12)])
case("MaxPooling2D", {}, inputs=[(None, None, 8, 3)])
case("MaxPooling3D", {}, inputs=[(None, 8, 8, 8, 2)])
case("MaxPooling3D", {"pool_size": 3, "strides": [1, 2, 3], "padding": "same"}, inputs=[(None, 8, 8, 8, 2)])
case("AveragePooling1D", {"pool_size": 2}, inputs=[(None, 11, 4)])
case("AveragePooling1D", {"pool_size": 4, "strides": 2, "padding": "same"}, inputs=[(None, 11, 4)])
case("AveragePooling2D", {"pool_size": 2}, inputs=[(None, 28, 28, 32)])
case("AveragePooling2D", {"pool_size": [3, 3], "strides": [1, 1]}, inputs=[(None, 28, 28, 32)])
case("AveragePooling2D", {"pool_size": 2, "padding": "same", "data_format": "channels_first"}, inputs=[(None, 32, 7, 7)])
case("AveragePooling3D", {"pool_size": 2}, inputs=[(None, 8, 9, 10, 2)])
case("AveragePooling3D", {"pool_size": [2, 2, 2], "padding": "same"}, inputs=[(None, 8, 9, 10, 2)])
for g in ("GlobalAveragePooling", "GlobalMaxPooling"):
    case(g + "1D", {}, inputs=[(None, 10, 4)])
    case(g + "1D", {"keepdims": True}, inputs=[(None, 10, 4)])
    case(g + "1D", {"data_format": "channels_first"}, inputs=[(None, 4, 10)])
    case(g + "2D", {}, inputs=[(None, 7, 7, 512)])
    case(g + "2D", {"keepdims": True}, inputs=[(None, 7, 7, 512)])
    case(g + "2D", {"data_format": "channels_first", "keepdims": True}, inputs=[(None, 16, 7, 7)])
    case(g + "3D", {}, inputs=[(None, 4, 4, 4, 8)])
    case(g + "3D", {"keepdims": True}, inputs=[(None, 4, 4, 4, 8)])

# ---------------------------------------------------------------- reshaping
case("Flatten", {}, inputs=[(None, 7, 7, 64)])
case("Flatten", {}, inputs=[(None, None, 4)])
case("Flatten", {}, inputs=[(None, 10)])
case("Flatten", {}, inputs=[(None,)])
case("Flatten", {"data_format": "channels_first"}, inputs=[(None, 3, 4, 5)])
case("Reshape", {"target_shape": [7, 7, 64]}, inputs=[(None, 3136)])
case("Reshape", {"target_shape": [-1, 4]}, inputs=[(None, 12)])
case("Reshape", {"target_shape": [2, -1, 3]}, inputs=[(None, 4, 6)])
case("Reshape", {"target_shape": [-1]}, inputs=[(None, 4, 6)])
case("Reshape", {"target_shape": [-1, 4]}, inputs=[(None, None, 4)])
case("Reshape", {"target_shape": [3, 4]}, inputs=[(None, None)])
case("Permute", {"dims": [2, 1]}, inputs=[(None, 10, 64)])
case("Permute", {"dims": [3, 1, 2]}, inputs=[(None, 5, 6, 7)])
case("RepeatVector", {"n": 3}, inputs=[(None, 32)])
case("UpSampling1D", {}, inputs=[(None, 10, 3)])
case("UpSampling1D", {"size": 3}, inputs=[(None, 10, 3)])
case("UpSampling2D", {}, inputs=[(None, 7, 7, 3)])
case("UpSampling2D", {"size": [2, 3], "interpolation": "bilinear"}, inputs=[(None, 7, 7, 3)])
case("UpSampling2D", {"size": 2, "data_format": "channels_first"}, inputs=[(None, 3, 7, None)])
case("UpSampling3D", {}, inputs=[(None, 2, 3, 4, 5)])
case("UpSampling3D", {"size": [1, 2, 3], "data_format": "channels_first"}, inputs=[(None, 5, 2, 3, 4)])
case("ZeroPadding1D", {}, inputs=[(None, 10, 3)])
case("ZeroPadding1D", {"padding": [2, 3]}, inputs=[(None, 10, 3)])
case("ZeroPadding1D", {"padding": 2, "data_format": "channels_first"}, inputs=[(None, 3, 10)])
case("ZeroPadding2D", {}, inputs=[(None, 28, 28, 3)])
case("ZeroPadding2D", {"padding": 3}, inputs=[(None, 28, 28, 3)])
case("ZeroPadding2D", {"padding": [1, 2]}, inputs=[(None, 28, 28, 3)])
case("ZeroPadding2D", {"padding": [[1, 0], [2, 3]], "data_format": "channels_first"}, inputs=[(None, 3, 28, 28)])
case("ZeroPadding3D", {}, inputs=[(None, 4, 4, 4, 1)])
case("ZeroPadding3D", {"padding": [1, 2, 3]}, inputs=[(None, 4, 4, 4, 1)])
case("ZeroPadding3D", {"padding": [[0, 1], [2, 0], [1, 1]]}, inputs=[(None, 4, None, 4, 1)])
case("Cropping1D", {}, inputs=[(None, 10, 3)])
case("Cropping1D", {"cropping": 2}, inputs=[(None, 10, 3)])
case("Cropping1D", {"cropping": [0, 4]}, inputs=[(None, 10, 3)])
case("Cropping2D", {}, inputs=[(None, 28, 28, 3)])
case("Cropping2D", {"cropping": 2}, inputs=[(None, 28, 28, 3)])
case("Cropping2D", {"cropping": [2, 4]}, inputs=[(None, 28, 28, 3)])
case("Cropping2D", {"cropping": [[1, 2], [3, 4]], "data_format": "channels_first"}, inputs=[(None, 3, 28, 28)])
case("Cropping3D", {}, inputs=[(None, 8, 8, 8, 1)])
case("Cropping3D", {"cropping": [1, 2, 3]}, inputs=[(None, 8, 8, 8, 1)])
case("Cropping3D", {"cropping": 1, "data_format": "channels_first"}, inputs=[(None, 1, 8, 8, 8)])

# ---------------------------------------------------------------- regularization / noise
case("Dropout", {"rate": 0.5}, inputs=[(None, 128)])
case("Dropout", {"rate": 0.2, "noise_shape": [None, 1, 8], "seed": 3}, inputs=[(None, 5, 8)])
case("SpatialDropout1D", {"rate": 0.1}, inputs=[(None, 10, 8)])
case("SpatialDropout2D", {"rate": 0.1}, inputs=[(None, 10, 10, 8)])
case("SpatialDropout2D", {"rate": 0.1, "data_format": "channels_first"}, inputs=[(None, 8, 10, 10)])
case("SpatialDropout3D", {"rate": 0.1}, inputs=[(None, 4, 4, 4, 8)])
case("GaussianNoise", {"stddev": 0.1}, inputs=[(None, 16)])
case("GaussianDropout", {"rate": 0.3}, inputs=[(None, 16)])
case("AlphaDropout", {"rate": 0.1}, inputs=[(None, 16)])
case("ActivityRegularization", {"l1": 0.01}, inputs=[(None, 16)])

# ---------------------------------------------------------------- normalization
case("BatchNormalization", {}, inputs=[(None, 64)])
case("BatchNormalization", {}, inputs=[(None, 28, 28, 32)])
case("BatchNormalization", {"axis": 1}, inputs=[(None, 32, 28, 28)])
case("BatchNormalization", {"axis": -2}, inputs=[(None, 5, 6)])
case("BatchNormalization", {"center": False}, inputs=[(None, 10)])
case("BatchNormalization", {"scale": False, "momentum": 0.9}, inputs=[(None, 10)])
case("BatchNormalization", {"center": False, "scale": False}, inputs=[(None, 10)])
case("BatchNormalization", {"trainable": False}, inputs=[(None, 10)])
case("BatchNormalization", {"renorm": True}, inputs=[(None, 10)])
case("LayerNormalization", {}, inputs=[(None, 10, 64)])
case("LayerNormalization", {"axis": [1, 2]}, inputs=[(None, 10, 64)])
case("LayerNormalization", {"axis": [-1, 1]}, inputs=[(None, 4, 6, 8)])
case("LayerNormalization", {"center": False}, inputs=[(None, 10)])
case("LayerNormalization", {"scale": False, "epsilon": 1e-6}, inputs=[(None, 10)])
case("LayerNormalization", {"rms_scaling": True}, inputs=[(None, 10)])
case("LayerNormalization", {"axis": 1}, inputs=[(None, 7, 3)])
case("GroupNormalization", {"groups": 4}, inputs=[(None, 8, 8, 16)])
case("GroupNormalization", {"groups": 2, "axis": 1, "center": False}, inputs=[(None, 16, 8, 8)])
case("GroupNormalization", {"groups": -1}, inputs=[(None, 10, 6)])
case("GroupNormalization", {}, inputs=[(None, 5, 64)])
case("UnitNormalization", {}, inputs=[(None, 10)])
case("UnitNormalization", {"axis": [1, 2]}, inputs=[(None, 4, 5)])
case("RMSNormalization", {}, inputs=[(None, 5, 12)])
case("Normalization", {}, inputs=[(None, 8)])
case("Normalization", {"axis": None}, inputs=[(None, 8)])
case("Normalization", {"axis": [1, 2]}, inputs=[(None, 4, 5, 6)])
case("Normalization", {"mean": 0.5, "variance": 2.0}, inputs=[(None, 8)])
case("Rescaling", {"scale": 1.0 / 255}, inputs=[(None, 28, 28, 1)])
case("Rescaling", {"scale": 2.0, "offset": -1.0}, inputs=[(None, 4)])

# ---------------------------------------------------------------- activations
case("ReLU", {}, inputs=[(None, 10)])
case("ReLU", {"max_value": 6.0}, inputs=[(None, 4, 10)])
case("LeakyReLU", {}, inputs=[(None, 10)])
case("LeakyReLU", {"negative_slope": 0.2}, inputs=[(None, 10)])
case("PReLU", {}, inputs=[(None, 10)])
case("PReLU", {}, inputs=[(None, 8, 8, 3)])
case("PReLU", {"shared_axes": [1, 2]}, inputs=[(None, 8, 8, 3)])
case("PReLU", {"shared_axes": [1]}, inputs=[(None, 5, 4)])
case("ELU", {}, inputs=[(None, 10)])
case("ELU", {"alpha": 0.5}, inputs=[(None, 10)])
case("Softmax", {}, inputs=[(None, 10)])
case("Softmax", {"axis": 1}, inputs=[(None, 4, 10)])

# ---------------------------------------------------------------- recurrent
case("SimpleRNN", {"units": 32}, inputs=[(None, 10, 8)])
case("SimpleRNN", {"units": 16, "return_sequences": True}, inputs=[(None, 10, 8)])
case("SimpleRNN", {"units": 16, "return_state": True}, inputs=[(None, 10, 8)])
case("SimpleRNN", {"units": 16, "return_sequences": True, "return_state": True, "use_bias": False}, inputs=[(None, None, 8)])
case("LSTM", {"units": 64}, inputs=[(None, 20, 10)])
case("LSTM", {"units": 64, "return_sequences": True}, inputs=[(None, 20, 10)])
case("LSTM", {"units": 32, "return_state": True}, inputs=[(None, 20, 10)])
case("LSTM", {"units": 32, "return_sequences": True, "return_state": True}, inputs=[(None, None, 10)])
case("LSTM", {"units": 8, "use_bias": False, "dropout": 0.2, "recurrent_dropout": 0.1}, inputs=[(None, 5, 3)])
case("LSTM", {"units": 8, "unit_forget_bias": False, "go_backwards": True}, inputs=[(4, 5, 3)])
case("GRU", {"units": 32}, inputs=[(None, 20, 10)])
case("GRU", {"units": 32, "reset_after": False}, inputs=[(None, 20, 10)])
case("GRU", {"units": 16, "return_sequences": True, "return_state": True}, inputs=[(None, 20, 10)])
case("GRU", {"units": 16, "use_bias": False}, inputs=[(None, 20, 10)])
case("GRU", {"units": 16, "trainable": False}, inputs=[(None, 7, 10)])
case("ConvLSTM2D", {"filters": 8, "kernel_size": 3}, inputs=[(None, 5, 16, 16, 3)])
case("ConvLSTM2D", {"filters": 8, "kernel_size": 3, "padding": "same", "return_sequences": True}, inputs=[(None, 5, 16, 16, 3)])
case("ConvLSTM2D", {"filters": 4, "kernel_size": [3, 2], "strides": 2, "return_state": True}, inputs=[(None, 5, 16, 16, 3)])
case("ConvLSTM2D", {"filters": 4, "kernel_size": 3, "data_format": "channels_first"}, inputs=[(None, 5, 3, 16, 16)])
case("ConvLSTM1D", {"filters": 4, "kernel_size": 3}, inputs=[(None, 5, 16, 3)])
case("ConvLSTM3D", {"filters": 2, "kernel_size": 2, "padding": "same"}, inputs=[(None, 3, 4, 4, 4, 1)])

# ---------------------------------------------------------------- wrappers
case("Bidirectional", {"layer": obj("LSTM", units=32)}, inputs=[(None, 20, 10)])
case("Bidirectional", {"layer": obj("LSTM", units=32, return_sequences=True)}, inputs=[(None, 20, 10)])
case("Bidirectional", {"layer": obj("GRU", units=16), "merge_mode": "sum"}, inputs=[(None, 20, 10)])
case("Bidirectional", {"layer": obj("GRU", units=16), "merge_mode": "mul"}, inputs=[(None, 20, 10)])
case("Bidirectional", {"layer": obj("SimpleRNN", units=16, return_sequences=True), "merge_mode": "ave"}, inputs=[(None, 20, 10)])
case("Bidirectional", {"layer": obj("LSTM", units=8), "merge_mode": None}, inputs=[(None, 20, 10)])
case("Bidirectional", {"layer": obj("LSTM", units=8, return_state=True)}, inputs=[(None, 20, 10)])
case("Bidirectional", {"layer": obj("GRU", units=8, return_state=True, return_sequences=True), "merge_mode": None}, inputs=[(None, 20, 10)])
case("Bidirectional", {"layer": obj("LSTM", units=8), "backward_layer": obj("LSTM", units=8, go_backwards=True, name="bwd")}, inputs=[(None, 20, 10)])
case("Bidirectional", {"layer": obj("LSTM", units=8, name="enc")}, inputs=[(None, 20, 10)])
case("TimeDistributed", {"layer": obj("Dense", units=10)}, inputs=[(None, 20, 32)])
case("TimeDistributed", {"layer": obj("Conv2D", filters=8, kernel_size=3)}, inputs=[(None, 5, 28, 28, 1)])
case("TimeDistributed", {"layer": obj("Flatten")}, inputs=[(None, 5, 4, 4)])
case("TimeDistributed", {"layer": obj("Dropout", rate=0.5)}, inputs=[(None, 5, 4)])
case("TimeDistributed", {"layer": obj("BatchNormalization")}, inputs=[(None, 5, 4)])

# ---------------------------------------------------------------- merging (variadic)
case("Concatenate", {}, inputs=[(None, 10), (None, 20)])
case("Concatenate", {"axis": 1}, inputs=[(None, 4, 8), (None, 6, 8)])
case("Concatenate", {"axis": -2}, inputs=[(None, 4, 8), (None, 6, 8), (None, 1, 8)])
case("Concatenate", {"axis": -1}, inputs=[(None, 4, 8), (None, 4, None)])
case("Concatenate", {}, inputs=[(None, 7, 7, 32), (None, 7, 7, 64)])
case("Add", {}, inputs=[(None, 32), (None, 32)])
case("Add", {}, inputs=[(None, 4, 32), (None, 4, 32), (None, 4, 32)])
case("Add", {}, inputs=[(None, 4, 1), (None, 4, 5)])
case("Add", {}, inputs=[(None, 5), (None, 3, 5)])
case("Subtract", {}, inputs=[(None, 16), (None, 16)])
case("Multiply", {}, inputs=[(None, 8, 16), (None, 1, 16)])
case("Average", {}, inputs=[(None, 8), (None, 8)])
case("Maximum", {}, inputs=[(None, 8), (None, 8)])
case("Minimum", {}, inputs=[(None, None, 8), (None, 5, 8)])
case("Dot", {"axes": 1}, inputs=[(None, 8), (None, 8)])
case("Dot", {"axes": -1, "normalize": True}, inputs=[(None, 8), (None, 8)])
case("Dot", {"axes": [2, 2]}, inputs=[(None, 5, 8), (None, 6, 8)])
case("Dot", {"axes": [1, 1]}, inputs=[(None, 5, 8), (None, 5, 3)])
case("Dot", {"axes": -1}, inputs=[(None, 5, 8), (None, 6, 8)])

# ---------------------------------------------------------------- attention
case("MultiHeadAttention", {"num_heads": 2, "key_dim": 8}, inputs=[(None, 5, 16), (None, 7, 12)])
case("MultiHeadAttention", {"num_heads": 4, "key_dim": 16}, inputs=[(None, 10, 64), (None, 10, 64)])
case("MultiHeadAttention", {"num_heads": 4, "key_dim": 16, "value_dim": 8}, inputs=[(None, 10, 64), (None, 12, 32), (None, 12, 24)])
case("MultiHeadAttention", {"num_heads": 2, "key_dim": 4, "output_shape": 10}, inputs=[(None, 5, 16), (None, 5, 16)])
case("MultiHeadAttention", {"num_heads": 2, "key_dim": 4, "output_shape": [3, 5]}, inputs=[(None, 5, 16), (None, 5, 16)])
case("MultiHeadAttention", {"num_heads": 2, "key_dim": 4, "use_bias": False}, inputs=[(None, 5, 16), (None, 5, 16)])
case("MultiHeadAttention", {"num_heads": 2, "key_dim": 8}, inputs=[(None, 5, 16), (None, 5, 16)], options={"return_attention_scores": True})
case("MultiHeadAttention", {"num_heads": 3, "key_dim": 8}, inputs=[(None, 5, 16), (None, 9, 16)], options={"return_attention_scores": True})
case("MultiHeadAttention", {"num_heads": 2, "key_dim": 4, "attention_axes": [2]}, inputs=[(None, 3, 5, 16), (None, 3, 5, 16)])
case("MultiHeadAttention", {"num_heads": 2, "key_dim": 4}, inputs=[(None, 3, 5, 16), (None, 3, 5, 8)])
case("MultiHeadAttention", {"num_heads": 2, "key_dim": 4, "dropout": 0.1}, inputs=[(None, None, 16), (None, None, 16)])
case("MultiHeadAttention", {"num_heads": 2, "key_dim": 4, "use_gate": True}, inputs=[(None, 5, 16), (None, 6, 8)])
case("Attention", {}, inputs=[(None, 5, 16), (None, 7, 16)])
case("Attention", {"use_scale": True, "score_mode": "concat"}, inputs=[(None, 5, 16), (None, 7, 16), (None, 7, 16)])
case("Attention", {}, inputs=[(None, 5, 16), (None, 7, 12), (None, 7, 16)], options={"return_attention_scores": True})
case("AdditiveAttention", {}, inputs=[(None, 5, 16), (None, 7, 16)])
case("AdditiveAttention", {"use_scale": False}, inputs=[(None, 5, 16), (None, 7, 16)], options={"return_attention_scores": True})

# ---------------------------------------------------------------- preprocessing
case("CategoryEncoding", {"num_tokens": 10}, inputs=[(None, 3)])
case("CategoryEncoding", {"num_tokens": 10, "output_mode": "one_hot"}, inputs=[(None, 1)])
case("CategoryEncoding", {"num_tokens": 10, "output_mode": "one_hot"}, inputs=[(None, 4)])
case("CategoryEncoding", {"num_tokens": 6, "output_mode": "count"}, inputs=[(None, 5)])


# ---------------------------------------------------------------- image preprocessing
case("Resizing", {"height": 64, "width": 32}, inputs=[(None, 128, 128, 3)])
case("Resizing", {"height": 64, "width": 32, "data_format": "channels_first"}, inputs=[(None, 3, 128, 128)])
case("Resizing", {"height": 10, "width": 12, "crop_to_aspect_ratio": True}, inputs=[(None, None, None, 1)])
case("CenterCrop", {"height": 24, "width": 20}, inputs=[(None, 32, 32, 3)])
case("RandomCrop", {"height": 24, "width": 20}, inputs=[(None, 32, 32, 3)])
case("RandomCrop", {"height": 24, "width": 20, "data_format": "channels_first"}, inputs=[(None, 3, 32, 32)])
case("RandomFlip", {"mode": "horizontal"}, inputs=[(None, 32, 32, 3)])
case("RandomFlip", {}, inputs=[(None, 32, 32, 3)])
case("RandomRotation", {"factor": 0.1}, inputs=[(None, 32, 32, 3)])
case("RandomZoom", {"height_factor": 0.2}, inputs=[(None, 32, 32, 3)])
case("RandomTranslation", {"height_factor": 0.1, "width_factor": 0.1}, inputs=[(None, 32, 32, 3)])
case("RandomContrast", {"factor": 0.2}, inputs=[(None, 32, 32, 3)])
case("RandomBrightness", {"factor": 0.2}, inputs=[(None, 32, 32, 3)])
for kind in ("Average", "Max"):
    case(f"Adaptive{kind}Pooling1D", {"output_size": 4}, inputs=[(None, 17, 3)])
    case(f"Adaptive{kind}Pooling2D", {"output_size": [3, 5]}, inputs=[(None, 17, 19, 3)])
    case(f"Adaptive{kind}Pooling2D", {"output_size": 2, "data_format": "channels_first"}, inputs=[(None, 3, 17, 19)])
    case(f"Adaptive{kind}Pooling3D", {"output_size": 2}, inputs=[(None, 8, 8, 8, 2)])

# ---------------------------------------------------------------- grouped-query attention
case("GroupedQueryAttention", {"head_dim": 8, "num_query_heads": 4, "num_key_value_heads": 2}, inputs=[(None, 5, 16), (None, 7, 16)])
case("GroupedQueryAttention", {"head_dim": 8, "num_query_heads": 4, "num_key_value_heads": 2, "use_bias": False}, inputs=[(None, 5, 16), (None, 7, 16), (None, 7, 12)])
case("GroupedQueryAttention", {"head_dim": 4, "num_query_heads": 2, "num_key_value_heads": 1}, inputs=[(None, 5, 16), (None, 7, 16)], options={"return_attention_scores": True})
case("GroupedQueryAttention", {"head_dim": 4, "num_query_heads": 2, "num_key_value_heads": 2, "use_gate": True}, inputs=[(None, 5, 16), (None, 7, 16)])

# ---------------------------------------------------------------- harder corners
case("Conv1D", {"filters": 4, "kernel_size": 4, "strides": 3, "padding": "causal"}, inputs=[(None, 20, 2)])
case("Conv2D", {"filters": 4, "kernel_size": 3, "strides": 2, "dilation_rate": 1}, inputs=[(None, 10, 9, 2)])
case("Conv2D", {"filters": 4, "kernel_size": 2, "lora_rank": 2}, inputs=[(None, 6, 6, 3)])
case("Conv2D", {"filters": 6, "kernel_size": 3, "groups": 3, "data_format": "channels_first", "use_bias": False}, inputs=[(None, 9, 8, 8)])
case("Conv1DTranspose", {"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same", "dilation_rate": 1, "output_padding": 0}, inputs=[(None, 7, 2)])
case("Conv2DTranspose", {"filters": 3, "kernel_size": 4, "strides": 2, "padding": "same"}, inputs=[(None, 7, 7, 2)])
case("Conv2DTranspose", {"filters": 3, "kernel_size": [1, 5], "strides": [3, 1]}, inputs=[(None, 7, 7, 2)])
case("Conv3DTranspose", {"filters": 2, "kernel_size": 3, "strides": 2, "output_padding": 1, "data_format": "channels_first"}, inputs=[(None, 4, 3, 3, 3)])
case("DepthwiseConv2D", {"kernel_size": 3, "dilation_rate": 2, "padding": "valid"}, inputs=[(None, 12, 12, 2)])
case("SeparableConv2D", {"filters": 4, "kernel_size": [1, 3], "dilation_rate": [1, 2]}, inputs=[(None, 10, 10, 2)])
case("MaxPooling2D", {"pool_size": 3, "strides": 1}, inputs=[(None, 5, 5, 1)])
case("MaxPooling1D", {"pool_size": 2, "padding": "same", "data_format": "channels_first"}, inputs=[(None, 4, 9)])
case("AveragePooling2D", {"pool_size": [2, 3], "strides": [3, 2], "padding": "same"}, inputs=[(None, 10, 11, 1)])
case("Dense", {"units": 4, "trainable": False, "lora_rank": 1}, inputs=[(None, 3)])
case("Dense", {"units": 4}, inputs=[(5, 3)])
case("EinsumDense", {"equation": "ab,bc->ac", "output_shape": 8, "lora_rank": 2}, inputs=[(None, 6)])
case("EinsumDense", {"equation": "abc,bcd->ad", "output_shape": 10}, inputs=[(None, 4, 5)])
case("EinsumDense", {"equation": "...b,bc->...c", "output_shape": 6}, inputs=[(None, 2, 3, 4, 5)])
case("EinsumDense", {"equation": "ab...,bc->ac...", "output_shape": 6, "bias_axes": "c"}, inputs=[(None, 5, 3)])
case("Embedding", {"input_dim": 30, "output_dim": 4, "lora_rank": 2}, inputs=[(None, 5)])
case("Embedding", {"input_dim": 30, "output_dim": 4, "trainable": False}, inputs=[(None, 5)])
case("Flatten", {}, inputs=[(8, 2, 3)])
case("Reshape", {"target_shape": [-1, 2]}, inputs=[(4, 3, 4)])
case("Add", {}, inputs=[(4, 8), (None, 8)])
case("Concatenate", {"axis": 0}, inputs=[(2, 3), (4, 3)])
case("Dot", {"axes": [-1, -2]}, inputs=[(None, 5, 8), (None, 8, 6)])
case("LayerNormalization", {"axis": -2}, inputs=[(None, 7, 3)])
case("Normalization", {"axis": -2}, inputs=[(None, 4, 5)])
case("PReLU", {"shared_axes": [2, 3]}, inputs=[(None, 3, 8, 8)])
case("BatchNormalization", {"axis": 1, "center": False, "scale": False, "trainable": False}, inputs=[(None, 3, 4, 4)])
case("GroupNormalization", {"groups": 1, "scale": False}, inputs=[(None, 4, 4, 8)])
case("RMSNormalization", {"axis": [1, 2]}, inputs=[(None, 3, 4)])
case("CategoryEncoding", {"num_tokens": 5, "output_mode": "one_hot"}, inputs=[(None,)])
case("InputLayer", {"input_shape": [4, 4]}, inputs=[])
case("SimpleRNN", {"units": 4, "trainable": False, "return_state": True}, inputs=[(None, 3, 2)])
case("GRU", {"units": 4, "reset_after": False, "return_state": True}, inputs=[(None, 3, 2)])
case("LSTM", {"units": 4}, inputs=[(None, None, 2)])
case("ConvLSTM2D", {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same", "return_sequences": True, "return_state": True}, inputs=[(None, 4, 9, 9, 1)])
case("Bidirectional", {"layer": obj("LSTM", units=4, name="forward_enc")}, inputs=[(None, 6, 3)])
case("Bidirectional", {"layer": obj("GRU", units=4, return_sequences=True), "merge_mode": "concat", "trainable": False}, inputs=[(None, 6, 3)])
case("Bidirectional", {"layer": obj("LSTM", units=4, return_sequences=True, return_state=True), "merge_mode": "ave"}, inputs=[(None, 6, 3)])
case("TimeDistributed", {"layer": obj("LSTM", units=4)}, inputs=[(None, 5, 6, 3)])
case("TimeDistributed", {"layer": obj("MaxPooling2D")}, inputs=[(None, 5, 8, 8, 3)])
case("TimeDistributed", {"layer": obj("Bidirectional", layer=obj("LSTM", units=4))}, inputs=[(None, 5, 6, 3)])
case("TimeDistributed", {"layer": obj("Dense", units=3, name="proj")}, inputs=[(None, 5, 6)])
case("TimeDistributed", {"layer": obj("Dense", units=3), "trainable": False}, inputs=[(None, 5, 6)])
case("TimeDistributed", {"layer": obj("Dense", units=3, trainable=False)}, inputs=[(None, 5, 6)])
case("Bidirectional", {"layer": obj("LSTM", units=3, trainable=False)}, inputs=[(None, 5, 6)])
case("MultiHeadAttention", {"num_heads": 2, "key_dim": 4, "attention_axes": [1, 2]}, inputs=[(None, 3, 4, 8), (None, 3, 4, 8)])
case("MultiHeadAttention", {"num_heads": 2, "key_dim": 4}, inputs=[(None, 3, 4, 8), (None, 3, 4, 8)], options={"return_attention_scores": True})
case("MultiHeadAttention", {"num_heads": 1, "key_dim": 3, "value_dim": 5, "output_shape": [2, 2], "use_bias": False}, inputs=[(None, 4, 6), (None, 2, 7), (None, 2, 9)])
case("MultiHeadAttention", {"num_heads": 2, "key_dim": 4, "trainable": False}, inputs=[(None, 4, 6), (None, 4, 6)])

# ---------------------------------------------------------------- configurations Keras rejects
case("Conv2D", {"filters": 4, "kernel_size": 5}, inputs=[(None, 3, 3, 1)], error=True)
case("Conv1D", {"filters": 4, "kernel_size": 3, "groups": 4}, inputs=[(None, 10, 6)], error=True)
case("MaxPooling2D", {"pool_size": 4}, inputs=[(None, 3, 8, 1)], error=True)
case("Cropping1D", {"cropping": [3, 3]}, inputs=[(None, 6, 2)], error=True)
case("Cropping2D", {"cropping": [[2, 2], [0, 0]]}, inputs=[(None, 4, 5, 1)], error=True)
case("Reshape", {"target_shape": [5, 5]}, inputs=[(None, 24)], error=True)
case("Reshape", {"target_shape": [-1, 5]}, inputs=[(None, 24)], error=True)

# ================================================================ building
def to_py(value):
    """Turns a JSON config value into what the Keras constructor takes."""
    if isinstance(value, dict) and "$class" in value:
        return make_object(value["$class"], value["args"])
    if isinstance(value, list):
        return tuple(to_py(v) for v in value)
    return value


def make_object(cls, args):
    cls = EXPORT_NAME.get(cls, cls)
    for module in (layers, keras.regularizers, keras.initializers, keras.constraints):
        if hasattr(module, cls):
            return getattr(module, cls)(**{k: to_py(v) for k, v in args.items()})
    raise KeyError(cls)


def shape_list(shape):
    return [None if d is None else int(d) for d in shape]


def layer_kernel_shape(layer):
    """`layer.kernel` as Keras exposes it; None when the layer has no such attribute."""
    try:
        kernel = layer.kernel
    except AttributeError:
        return None
    return None if kernel is None else shape_list(kernel.shape)


def call_layer(layer, spec):
    if spec["className"] == "InputLayer":
        return layer.output
    tensors = [keras.Input(batch_shape=tuple(s)) for s in spec["inputs"]]
    options = spec["options"]
    if spec["className"] in ("MultiHeadAttention", "GroupedQueryAttention"):
        return layer(*tensors, **options)
    if len(tensors) > 1 or spec["className"] in VARIADIC:
        return layer(tensors, **options)
    return layer(tensors[0], **options)


# Classes keras.layers exports under another name.
EXPORT_NAME = {"GroupedQueryAttention": "GroupQueryAttention"}

VARIADIC = {"Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Dot", "Attention", "AdditiveAttention"}


def positional_names(cls):
    """Constructor parameters that can be passed positionally, in order (what `positional` must list)."""
    params = inspect.signature(cls.__init__).parameters.values()
    return [p.name for p in params if p.name != "self" and p.kind == p.POSITIONAL_OR_KEYWORD]


def run(spec):
    keras.backend.clear_session()  # fresh auto-name counters per case
    kwargs = {k: to_py(v) for k, v in spec["config"].items()}
    kwargs.update(spec.pop("py"))
    layer = getattr(layers, EXPORT_NAME.get(spec["className"], spec["className"]))(**kwargs)
    out = call_layer(layer, spec)
    flat = keras.tree.flatten(out)
    prefix = layer.name + "/"
    record = dict(spec)
    record["outputShape"] = shape_list(flat[0].shape) if len(flat) == 1 else [shape_list(t.shape) for t in flat]
    record["params"] = int(layer.count_params()) if spec["className"] != "InputLayer" else 0
    record["kernelShape"] = layer_kernel_shape(layer)
    record["weights"] = [
        {
            "name": w.name,
            "path": w.path[len(prefix):] if w.path.startswith(prefix) else w.path,
            "shape": shape_list(w.shape),
            "trainable": bool(w.trainable),
        }
        for w in layer.weights
    ]
    record["autoName"] = layer.name
    record["positional"] = positional_names(type(layer))
    assert layer.__class__.__name__ == spec["className"], (layer.__class__.__name__, spec)
    return record


def run_rejected(spec):
    """A case Keras must refuse; records the error message instead of shapes."""
    try:
        run(dict(spec))
    except Exception as e:
        record = {k: v for k, v in spec.items() if k != "py"}
        record.update({"error": f"{type(e).__name__}: {str(e).splitlines()[0]}", "positional": positional_names(
            getattr(layers, EXPORT_NAME.get(spec["className"], spec["className"])))})
        return record
    raise AssertionError(f"Keras accepted a case expected to fail: {spec}")


def main():
    records = []
    for spec in CASES:
        if spec.pop("error"):
            records.append(run_rejected(spec))
            continue
        try:
            records.append(run(spec))
        except Exception as e:  # a case Keras rejects is a bug in this list
            print(f"FAILED {spec['className']} {spec['config']} {spec['inputs']}: {e}", file=sys.stderr)
            raise
    with open(OUT, "w") as f:
        json.dump(records, f, indent=1)
        f.write("\n")
    print(f"wrote {len(records)} cases to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
