"""Per-token int8 (classifier/predict/int8.py): close to fp32, and a row's result never depends on its batch."""

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from classifier.predict.int8 import per_token_int8, quantise_weight  # noqa: E402

RNG = np.random.default_rng(0)
W1 = RNG.normal(size=(16, 32)).astype(np.float32)
W2 = RNG.normal(size=(32, 8)).astype(np.float32)


def two_layer_graph(opset: int = 17):
    """x (batch, tokens, 16) -> MatMul W1 -> Relu -> MatMul W2, plus a MatMul of two activations (kept fp32)."""
    nodes = [helper.make_node("MatMul", ["x", "w1"], ["h"]), helper.make_node("Relu", ["h"], ["r"]),
             helper.make_node("MatMul", ["r", "w2"], ["y"]),
             helper.make_node("Transpose", ["x"], ["xt"], perm=[0, 2, 1]),
             helper.make_node("MatMul", ["x", "xt"], ["gram"])]
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["b", "t", 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["b", "t", 8]),
         helper.make_tensor_value_info("gram", TensorProto.FLOAT, ["b", "t", "t"])],
        [numpy_helper.from_array(W1, "w1"), numpy_helper.from_array(W2, "w2")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def run(model, x):
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x})


def test_weights_keep_seven_bits_per_column():
    w8, scale = quantise_weight(W1)
    assert w8.dtype == np.int8 and np.abs(w8).max() == 63 and scale.shape == (32,)
    assert np.abs(w8 * scale - W1).max() <= scale.max() / 2 + 1e-6


@pytest.mark.parametrize("opset", [17, 18])
def test_close_to_fp32_and_only_weight_matmuls_change(opset):
    fp32 = two_layer_graph(opset)
    int8 = per_token_int8(fp32)
    ops = [node.op_type for node in int8.graph.node]
    assert ops.count("MatMulInteger") == 2 and ops.count("MatMul") == 1  # the activation product stays fp32
    assert not {"w1", "w2"} & {init.name for init in int8.graph.initializer}
    x = RNG.normal(size=(3, 5, 16)).astype(np.float32)
    (y32, gram32), (y8, gram8) = run(fp32, x), run(int8, x)
    np.testing.assert_array_equal(gram32, gram8)
    assert np.abs(y8 - y32).max() < 0.05 * np.abs(y32).max()


def test_a_row_gives_the_same_result_whatever_its_neighbours():
    int8 = per_token_int8(two_layer_graph())
    item = RNG.normal(size=(1, 4, 16)).astype(np.float32)
    outlier = 1000 * RNG.normal(size=(1, 4, 16)).astype(np.float32)  # would set a per-tensor scale
    alone = run(int8, item)[0]
    together = run(int8, np.concatenate([outlier, item]))[0][1:]
    np.testing.assert_array_equal(alone, together)
    padded = np.concatenate([item, np.zeros((1, 3, 16), np.float32)], axis=1)  # longer batch, zero rows
    np.testing.assert_array_equal(run(int8, padded)[0][:, :4], alone)


def test_a_graph_without_weight_matmuls_is_refused():
    graph = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])])
    with pytest.raises(ValueError, match="no MatMul"):
        per_token_int8(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]))
