"""Int8 with one activation scale per token: a rewrite of the fp32 ONNX graph.

Every MatMul whose right operand is a weight (the encoder's linear layers) becomes

    scale = max|x| / 127 over the token's features      (one scale per row: never shared with another item)
    q     = round(x / scale) + 128                       (uint8, zero point 128)
    y     = MatMulInteger(q, W8) * scale * w_scale        (W8: int8 per output column, |W8| <= 63)

so an item's scores are the same in any batch and at any padding, and batches run on ONNX Runtime's int8
GEMM. Written by hand because ONNX Runtime's quantisers offer per-tensor dynamic scales (``quantize_dynamic``:
one scale per batch, so scores depend on the neighbours), static scales (calibrated ranges: 2 to 6 macro-F1
points lost, docs/experiments.md) or ``MatMulNBits`` (per-row, but slower than fp32 on AVX2), not per-token
dynamic scales. Weights keep 7 bits so that the u8 x s8 kernels of AVX2 machines (pairs of products summed
in int16) cannot saturate: 2 x 255 x 63 < 32767.
"""

from __future__ import annotations

import numpy as np

WEIGHT_BITS = 7
ACTIVATION_ZERO_POINT = 128


def quantise_weight(weight: np.ndarray, bits: int = WEIGHT_BITS) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 per output column of a (K, N) weight: (int8 weight, float32 scale per column)."""
    top = 2 ** (bits - 1) - 1
    scale = np.maximum(np.abs(weight).max(axis=0), 1e-12) / top
    return np.clip(np.round(weight / scale), -top, top).astype(np.int8), scale.astype(np.float32)


def _opset(model) -> int:
    return next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 13)


def per_token_int8(model, bits: int = WEIGHT_BITS):
    """A copy of the fp32 ``onnx.ModelProto`` with every weight MatMul computed in int8, scaled per token."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.ModelProto.FromString(model.SerializeToString())
    graph = model.graph
    weights = {init.name: init for init in graph.initializer}
    opset = _opset(model)
    constants = [numpy_helper.from_array(np.array(127.0, dtype=np.float32), "pt8/127"),
                 numpy_helper.from_array(np.array(1e-8, dtype=np.float32), "pt8/eps"),
                 numpy_helper.from_array(np.array(float(ACTIVATION_ZERO_POINT), dtype=np.float32), "pt8/zp_float"),
                 numpy_helper.from_array(np.array(ACTIVATION_ZERO_POINT, dtype=np.uint8), "pt8/zp"),
                 numpy_helper.from_array(np.array(0.0, dtype=np.float32), "pt8/zero"),
                 numpy_helper.from_array(np.array([0], dtype=np.int64), "pt8/zero_i"),
                 numpy_helper.from_array(np.array([-1], dtype=np.int64), "pt8/last_axis")]
    nodes, replaced, dropped, quantised = [], 0, set(), {}
    for node in graph.node:
        weight = weights.get(node.input[1]) if node.op_type == "MatMul" and len(node.input) == 2 else None
        if weight is None or len(weight.dims) != 2 or weight.data_type != TensorProto.FLOAT:
            nodes.append(node)
            continue
        w8, w_scale = quantise_weight(numpy_helper.to_array(weight), bits)
        p = f"pt8/{replaced}/"
        constants += [numpy_helper.from_array(w8, p + "w8"), numpy_helper.from_array(w_scale, p + "w_scale")]
        dropped.add(weight.name)
        x, y = node.input[0], node.output[0]
        if x not in quantised:  # Q, K and V read one input: quantise it once
            quantised[x] = q = f"pt8/x{len(quantised)}/"
            reduce = (helper.make_node("ReduceMax", [q + "abs", "pt8/last_axis"], [q + "amax"], keepdims=0)
                      if opset >= 18 else
                      helper.make_node("ReduceMax", [q + "abs"], [q + "amax"], axes=[-1], keepdims=0))
            constants.append(numpy_helper.from_array(np.array([-1, w8.shape[0]], dtype=np.int64), q + "rows_k"))
            nodes += [  # x (..., K) as rows (tokens, K), one scale per row
                helper.make_node("Shape", [x], [q + "shape"]),
                helper.make_node("Slice", [q + "shape", "pt8/zero_i", "pt8/last_axis"], [q + "lead"]),
                helper.make_node("Reshape", [x, q + "rows_k"], [q + "rows"]),
                helper.make_node("Abs", [q + "rows"], [q + "abs"]),
                reduce,
                helper.make_node("Max", [q + "amax", "pt8/eps"], [q + "amax_safe"]),
                helper.make_node("Div", [q + "amax_safe", "pt8/127"], [q + "scale"]),
                helper.make_node("Mul", [q + "scale", "pt8/zero"], [q + "zeros"]),  # zero point 128 per row
                helper.make_node("Add", [q + "zeros", "pt8/zp_float"], [q + "zp_rows_float"]),
                helper.make_node("Cast", [q + "zp_rows_float"], [q + "zp_rows"], to=TensorProto.UINT8),
                helper.make_node("QuantizeLinear", [q + "rows", q + "scale", q + "zp_rows"], [q + "q"], axis=0),
            ]
        q = quantised[x]
        constants.append(numpy_helper.from_array(np.array([w8.shape[1]], dtype=np.int64), p + "n"))
        nodes += [
            helper.make_node("MatMulInteger", [q + "q", p + "w8", "pt8/zp"], [p + "int32"]),
            helper.make_node("DequantizeLinear", [p + "int32", q + "scale"], [p + "row_scaled"], axis=0),
            helper.make_node("Mul", [p + "row_scaled", p + "w_scale"], [p + "out_rows"]),
            helper.make_node("Concat", [q + "lead", p + "n"], [p + "out_shape"], axis=0),  # back to (..., N)
            helper.make_node("Reshape", [p + "out_rows", p + "out_shape"], [y], name=node.name or None),
        ]
        replaced += 1
    if not replaced:
        raise ValueError("no MatMul with a weight initializer to quantise")
    still_used = {name for node in nodes for name in node.input}
    kept = [init for init in graph.initializer if init.name not in dropped or init.name in still_used]
    del graph.node[:]
    graph.node.extend(nodes)
    del graph.initializer[:]
    graph.initializer.extend(kept + constants)
    onnx.checker.check_model(model)
    return model
