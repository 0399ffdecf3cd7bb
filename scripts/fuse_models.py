#!/usr/bin/python3
"""Rewrites the PP-OCR ONNX models into equivalent graphs that ONNX Runtime runs faster on CPU.

The Paddle-to-ONNX export spells every hard-swish as Add(3) -> Clip(0, 6) -> Mul(x) -> Div(6) and
every "learnable affine" layer of PP-LCNetV3 as Mul(scalar) -> Add(scalar). ONNX Runtime fuses
neither, and a scalar Mul/Add also forces its blocked (NCHWc) convolution layout back to plain NCHW
and back again around every such layer: in the PP-OCRv4 detector half the time was these
element-wise passes and reorders. This script
  1. folds an affine that follows a Conv into that Conv's weights and bias,
  2. writes each hard-swish as HardSigmoid(x; 1/6, 1/2) * x (both stay in the blocked layout),
  3. folds an affine that precedes a Conv without padding into that Conv, and turns one that
     precedes a padded Conv into a depthwise 1x1 Conv (exact: padding zeros stay zeros),
  4. folds the bias Add and BatchNormalization after a ConvTranspose (the DB head) into it,
and leaves every other node as it is. Outputs equal the original's to float rounding
(tests/unit/fused_models_test.cpp compares them). Arithmetic is done in float64 with exact sums and
rounded once, so the output bytes are the same on every CPU (scripts/setup checks their sha256).

usage: fuse_models.py SOURCE.onnx DESTINATION.onnx
"""
import math
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper


class Graph:
    def __init__(self, model):
        self.model = model
        self.consts = {}
        self.nodes = []
        for node in model.graph.node:
            if node.op_type == 'Constant' and [a.name for a in node.attribute] == ['value']:
                self.consts[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
            else:
                self.nodes.append(node)
        for tensor in model.graph.initializer:
            self.consts[tensor.name] = numpy_helper.to_array(tensor)
        self.outputs = {o.name for o in model.graph.output}

    def consumers(self, name):
        return [n for n in self.nodes if name in n.input]

    def scalar(self, name):
        value = self.consts.get(name)
        if value is None or value.size != 1 or value.dtype != np.float32:
            return None
        return float(value.ravel()[0])

    def sole_consumer(self, name, op_type):
        if name in self.outputs:
            return None
        users = self.consumers(name)
        return users[0] if len(users) == 1 and users[0].op_type == op_type else None

    @staticmethod
    def other_input(node, name):
        rest = [i for i in node.input if i != name]
        return rest[0] if len(rest) == 1 else None

    def scalar_affine_after(self, name):
        """Mul(name, s) [-> Add(., b)] as (s, b, nodes); None when name does not feed one."""
        mul = self.sole_consumer(name, 'Mul')
        if mul is None:
            return None
        s = self.scalar(self.other_input(mul, name) or '')
        if s is None:
            return None
        add = self.sole_consumer(mul.output[0], 'Add')
        b = self.scalar(self.other_input(add, mul.output[0]) or '') if add is not None else None
        if b is None:
            return s, 0.0, [mul]
        return s, b, [mul, add]

    def remove(self, nodes):
        for node in nodes:
            self.nodes.remove(node)

    def to_model(self):
        graph = self.model.graph
        used = set()
        for node in self.nodes:
            used.update(node.input)
        del graph.node[:]
        graph.node.extend(self.nodes)
        del graph.initializer[:]
        for name in sorted(used):
            if name in self.consts:
                graph.initializer.append(numpy_helper.from_array(self.consts[name], name))
        return self.model


def f32(array):
    return np.asarray(array, dtype=np.float64).astype(np.float32)


def conv_weights(graph, conv):
    w = graph.consts[conv.input[1]].astype(np.float64)
    b = graph.consts[conv.input[2]].astype(np.float64) if len(conv.input) > 2 else np.zeros(w.shape[0])
    return w, b


def set_conv_weights(graph, conv, x, w, b, tag):
    wn, bn = f'{conv.output[0]}.{tag}.w', f'{conv.output[0]}.{tag}.b'
    graph.consts[wn], graph.consts[bn] = f32(w), f32(b)
    del conv.input[:]
    conv.input.extend([x, wn, bn])


def fold_affine_into_producing_conv(graph):
    count = 0
    for conv in [n for n in graph.nodes if n.op_type == 'Conv']:
        affine = graph.scalar_affine_after(conv.output[0])
        if affine is None:
            continue
        s, shift, nodes = affine
        w, b = conv_weights(graph, conv)
        set_conv_weights(graph, conv, conv.input[0], w * s, b * s + shift, 'scaled')
        conv.output[0] = nodes[-1].output[0]
        graph.remove(nodes)
        count += 1
    return count


def fuse_hardswish(graph):
    count = 0
    for add in [n for n in graph.nodes if n.op_type == 'Add']:
        if add not in graph.nodes:
            continue
        three = [i for i in add.input if graph.scalar(i) == 3.0]
        x = graph.other_input(add, three[0]) if len(three) == 1 else None
        clip = graph.sole_consumer(add.output[0], 'Clip') if x else None
        if clip is None:
            continue
        bounds = [graph.scalar(i) for i in clip.input[1:3]]
        bounds += [None] * (2 - len(bounds))
        for a in clip.attribute:  # before opset 11 the bounds are attributes
            bounds[['min', 'max'].index(a.name)] = a.f
        if bounds != [0.0, 6.0]:
            continue
        mul = graph.sole_consumer(clip.output[0], 'Mul')
        if mul is None or graph.other_input(mul, clip.output[0]) != x:
            continue
        div = graph.sole_consumer(mul.output[0], 'Div')
        if div is None or div.input[0] != mul.output[0] or graph.scalar(div.input[1]) != 6.0:
            continue
        at = graph.nodes.index(add)
        out = div.output[0]
        graph.remove([add, clip, mul, div])
        graph.nodes[at:at] = [
            helper.make_node('HardSigmoid', [x], [out + '.gate'], alpha=1.0 / 6.0, beta=0.5),
            helper.make_node('Mul', [x, out + '.gate'], [out]),
        ]
        count += 1
    return count


def channel_vector(graph, name, channels):
    """A constant holding one value per channel (shape (C,), (1, C, 1, 1), ...) as float64, or None."""
    value = graph.consts.get(name)
    if value is None or value.dtype != np.float32 or value.size != channels:
        return None
    if value.ndim > 1 and value.shape[1] != channels:
        return None
    return value.astype(np.float64).ravel()


def fold_into_conv_transpose(graph):
    """ConvTranspose -> Add(per-channel bias) [-> BatchNormalization] => one ConvTranspose."""
    count = 0
    for deconv in [n for n in graph.nodes if n.op_type == 'ConvTranspose']:
        attrs = {a.name: helper.get_attribute_value(a) for a in deconv.attribute}
        w = graph.consts.get(deconv.input[1])
        if w is None or attrs.get('group', 1) != 1 or len(deconv.input) > 2:
            continue
        w = w.astype(np.float64)
        cout = w.shape[1]
        add = graph.sole_consumer(deconv.output[0], 'Add')
        bias = channel_vector(graph, graph.other_input(add, deconv.output[0]) or '', cout) if add else None
        if bias is None:
            continue
        nodes = [add]
        scale, shift = np.ones(cout), np.zeros(cout)
        bn = graph.sole_consumer(add.output[0], 'BatchNormalization')
        if bn is not None and len(bn.output) == 1:
            gamma, beta, mean, var = (channel_vector(graph, i, cout) for i in bn.input[1:5])
            eps = next((a.f for a in bn.attribute if a.name == 'epsilon'), 1e-5)
            if all(v is not None for v in (gamma, beta, mean, var)):
                scale = gamma / np.sqrt(var + np.float64(np.float32(eps)))
                shift = beta - mean * scale
                nodes.append(bn)
        wn, bn_name = deconv.output[0] + '.folded.w', deconv.output[0] + '.folded.b'
        graph.consts[wn] = f32(w * scale.reshape(1, cout, 1, 1))
        graph.consts[bn_name] = f32(bias * scale + shift)
        del deconv.input[1:]
        deconv.input.extend([wn, bn_name])
        deconv.output[0] = nodes[-1].output[0]
        graph.remove(nodes)
        count += 1
    return count


def unpadded(conv):
    attrs = {a.name: helper.get_attribute_value(a) for a in conv.attribute}
    return not any(attrs.get('pads', [0])) and attrs.get('auto_pad', b'NOTSET') in (b'NOTSET', b'VALID')


def fold_affine_into_consuming_conv(graph, channels):
    folded = depthwise = 0
    for mul in [n for n in graph.nodes if n.op_type == 'Mul']:
        if mul not in graph.nodes:
            continue
        scalars = [i for i in mul.input if graph.scalar(i) is not None]
        if len(scalars) != 1:
            continue
        x = graph.other_input(mul, scalars[0])
        affine = graph.scalar_affine_after(x) if graph.sole_consumer(x, 'Mul') is mul else None
        if affine is None:
            continue
        s, shift, nodes = affine
        out = nodes[-1].output[0]
        users = graph.consumers(out)
        if out in graph.outputs or not users or any(u.op_type != 'Conv' or u.input[0] != out for u in users):
            continue
        if all(unpadded(u) for u in users):
            for conv in users:
                w, b = conv_weights(graph, conv)
                taps = np.array([math.fsum(row) for row in w.reshape(w.shape[0], -1)])
                set_conv_weights(graph, conv, x, w * s, b + shift * taps, 'shifted')
            folded += 1
        elif channels.get(x):
            c = channels[x]
            wn, bn = out + '.affine.w', out + '.affine.b'
            graph.consts[wn] = np.full((c, 1, 1, 1), s, np.float32)
            graph.consts[bn] = np.full((c,), shift, np.float32)
            graph.nodes.insert(graph.nodes.index(mul),
                               helper.make_node('Conv', [x, wn, bn], [out], group=c, kernel_shape=[1, 1]))
            depthwise += 1
        else:
            continue
        graph.remove(nodes)
    return folded, depthwise


def channel_counts(model):
    inferred = onnx.shape_inference.infer_shapes(model)
    counts = {}
    for value in list(inferred.graph.value_info) + list(inferred.graph.input):
        dims = value.type.tensor_type.shape.dim
        if len(dims) == 4 and dims[1].HasField('dim_value'):
            counts[value.name] = dims[1].dim_value
    return counts


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    source, destination = sys.argv[1], sys.argv[2]
    model = onnx.load(source)
    channels = channel_counts(model)
    graph = Graph(model)
    before = len(graph.nodes)
    into_producer = fold_affine_into_producing_conv(graph)
    hardswish = fuse_hardswish(graph)
    into_consumer, depthwise = fold_affine_into_consuming_conv(graph, channels)
    deconvolutions = fold_into_conv_transpose(graph)
    fused = graph.to_model()
    onnx.checker.check_model(fused)
    onnx.save(fused, destination)
    print(f'{destination}: {before} -> {len(graph.nodes)} nodes ({into_producer} affines folded into the conv '
          f'before, {into_consumer} into the conv after, {depthwise} made depthwise 1x1; {hardswish} hard-swishes; '
          f'{deconvolutions} bias/batch-norms folded into a ConvTranspose)')


if __name__ == '__main__':
    main()
