"""Activations. Their derivatives are written with the saved output where possible (tanh, sigmoid, relu).

Conventions at kinks follow PyTorch: relu'(0) = 0; leaky_relu'(0) = negative_slope.
"""
import numpy as np

from ..function import Function
from ..tensor import Tensor


class Tanh(Function):
    def forward(self, a):
        self.save_output()
        return np.tanh(a._data)

    def backward(self, grad):
        y = self.saved_output
        return grad * (1.0 - y * y)


class Sigmoid(Function):
    def forward(self, a):
        self.save_output()
        x = a._data
        e = np.exp(-np.abs(x))          # never overflows
        return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)

    def backward(self, grad):
        y = self.saved_output
        return grad * (y * (1.0 - y))


class ReLU(Function):
    label = "relu"

    def forward(self, a):
        self.save_output()
        return np.maximum(a._data, 0)

    def backward(self, grad):
        y = self.saved_output
        return grad * Tensor._make((y._data > 0).astype(grad.dtype))


class LeakyReLU(Function):
    label = "leaky_relu"

    def forward(self, a, negative_slope=0.01):
        self.save_for_backward(a)
        self.slope = negative_slope
        x = a._data
        return np.where(x > 0, x, x * x.dtype.type(negative_slope))

    def backward(self, grad):
        (a,) = self.saved_tensors
        x = a._data
        return grad * Tensor._make(np.where(x > 0, 1.0, self.slope).astype(grad.dtype))


def tanh(input):
    return Tanh.apply(input)


def sigmoid(input):
    return Sigmoid.apply(input)


def relu(input):
    return ReLU.apply(input)


def leaky_relu(input, negative_slope=0.01):
    return LeakyReLU.apply(input, negative_slope=negative_slope)
