"""Port of tensorflow/tfjs-examples addition-rnn/index.js (the Addition RNN example).

Line by line as the author wrote it; the only changes: `import lstmkit as tf`, JavaScript
syntax turned into Python, and the DOM / tfjs-vis rendering replaced by recording the values it
would show. Small sizes so it runs in seconds (the page defaults are digits 2, 5000 examples,
128 units, 100 iterations).
"""

import asyncio
import math
import random
import time

import pytest

import lstmkit as tf


class CharacterTable:
    # Constructor of CharacterTable.
    def __init__(self, chars):
        self.chars = chars
        self.charIndices = {}
        self.indicesChar = {}
        self.size = len(self.chars)
        for i in range(self.size):
            char = self.chars[i]
            if self.charIndices.get(char) is not None:
                raise Exception(f"Duplicate character '{char}'")
            self.charIndices[self.chars[i]] = i
            self.indicesChar[i] = self.chars[i]

    # Convert a string into a one-hot encoded tensor.
    def encode(self, str, numRows):
        buf = tf.buffer([numRows, self.size])
        for i in range(len(str)):
            char = str[i]
            if self.charIndices.get(char) is None:
                raise Exception(f"Unknown character: '{char}'")
            buf.set(1, i, self.charIndices[char])
        return buf.toTensor().as2D(numRows, self.size)

    def encodeBatch(self, strings, numRows):
        numExamples = len(strings)
        buf = tf.buffer([numExamples, numRows, self.size])
        for n in range(numExamples):
            str = strings[n]
            for i in range(len(str)):
                char = str[i]
                if self.charIndices.get(char) is None:
                    raise Exception(f"Unknown character: '{char}'")
                buf.set(1, n, i, self.charIndices[char])
        return buf.toTensor().as3D(numExamples, numRows, self.size)

    # Convert a 2D tensor into a string with the CharacterTable's vocabulary.
    def decode(self, x, calcArgmax=True):
        def body():
            nonlocal x
            if calcArgmax:
                x = x.argMax(1)
            xData = x.dataSync()  # TODO(cais): Performance implication?
            output = ""
            for index in list(xData):
                output += self.indicesChar[index]
            return output

        return tf.tidy(body)


# Generate examples.
def generateData(digits, numExamples, invert):
    digitArray = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]
    arraySize = len(digitArray)

    output = []
    maxLen = digits + 1 + digits

    def f():
        str = ""
        while len(str) < digits:
            index = math.floor(random.random() * arraySize)
            str += digitArray[index]
        return int(str)

    seen = set()
    while len(output) < numExamples:
        a = f()
        b = f()
        sorted_ = [a, b] if b > a else [b, a]
        key = str(sorted_[0]) + "`" + str(sorted_[1])
        if key in seen:
            continue
        seen.add(key)

        # Pad the data with spaces such that it is always maxLen.
        q = f"{a}+{b}"
        query = q + " " * (maxLen - len(q))
        ans = str(a + b)
        # Answer can be of maximum size `digits + 1`.
        ans += " " * (digits + 1 - len(ans))

        if invert:
            raise Exception("invert is not implemented yet")
        output.append([query, ans])
    return output


def convertDataToTensors(data, charTable, digits):
    maxLen = digits + 1 + digits
    questions = [datum[0] for datum in data]
    answers = [datum[1] for datum in data]
    return [
        charTable.encodeBatch(questions, maxLen),
        charTable.encodeBatch(answers, digits + 1),
    ]


def createAndCompileModel(layers, hiddenSize, rnnType, digits, vocabularySize):
    maxLen = digits + 1 + digits

    model = tf.sequential()
    if rnnType == "SimpleRNN":
        model.add(
            tf.layers.simpleRNN(
                {
                    "units": hiddenSize,
                    "recurrentInitializer": "glorotNormal",
                    "inputShape": [maxLen, vocabularySize],
                }
            )
        )
    elif rnnType == "GRU":
        model.add(
            tf.layers.gru(
                {
                    "units": hiddenSize,
                    "recurrentInitializer": "glorotNormal",
                    "inputShape": [maxLen, vocabularySize],
                }
            )
        )
    elif rnnType == "LSTM":
        model.add(
            tf.layers.lstm(
                {
                    "units": hiddenSize,
                    "recurrentInitializer": "glorotNormal",
                    "inputShape": [maxLen, vocabularySize],
                }
            )
        )
    else:
        raise Exception(f"Unsupported RNN type: '{rnnType}'")
    model.add(tf.layers.repeatVector({"n": digits + 1}))
    if rnnType == "SimpleRNN":
        model.add(
            tf.layers.simpleRNN(
                {
                    "units": hiddenSize,
                    "recurrentInitializer": "glorotNormal",
                    "returnSequences": True,
                }
            )
        )
    elif rnnType == "GRU":
        model.add(
            tf.layers.gru(
                {
                    "units": hiddenSize,
                    "recurrentInitializer": "glorotNormal",
                    "returnSequences": True,
                }
            )
        )
    elif rnnType == "LSTM":
        model.add(
            tf.layers.lstm(
                {
                    "units": hiddenSize,
                    "recurrentInitializer": "glorotNormal",
                    "returnSequences": True,
                }
            )
        )
    else:
        raise Exception(f"Unsupported RNN type: '{rnnType}'")
    model.add(tf.layers.timeDistributed({"layer": tf.layers.dense({"units": vocabularySize})}))
    model.add(tf.layers.activation({"activation": "softmax"}))
    model.compile(
        {
            "loss": "categoricalCrossentropy",
            "optimizer": "adam",
            "metrics": ["accuracy"],
        }
    )
    return model


class AdditionRNNDemo:
    def __init__(self, digits, trainingSize, rnnType, layers, hiddenSize):
        # Prepare training data.
        chars = "0123456789+ "
        self.charTable = CharacterTable(chars)
        print("Generating training data")
        data = generateData(digits, trainingSize, False)
        split = math.floor(trainingSize * 0.9)
        self.trainData = data[0:split]
        self.testData = data[split:]
        [self.trainXs, self.trainYs] = convertDataToTensors(self.trainData, self.charTable, digits)
        [self.testXs, self.testYs] = convertDataToTensors(self.testData, self.charTable, digits)
        self.model = createAndCompileModel(layers, hiddenSize, rnnType, digits, len(chars))
        self.testXsForDisplay = None
        # What the page would render (the DOM and tfjs-vis charts), kept for the test.
        self.shown = {}

    async def train(self, iterations, batchSize, numTestExamples):
        lossValues = [[], []]
        accuracyValues = [[], []]
        for i in range(iterations):
            beginMs = time.perf_counter() * 1000
            history = await self.model.fit(
                self.trainXs,
                self.trainYs,
                {
                    "epochs": 1,
                    "batchSize": batchSize,
                    "validationData": [self.testXs, self.testYs],
                    "yieldEvery": "epoch",
                },
            )

            elapsedMs = time.perf_counter() * 1000 - beginMs
            modelFitTime = elapsedMs / 1000

            trainLoss = history.history["loss"][0]
            trainAccuracy = history.history["acc"][0]
            valLoss = history.history["val_loss"][0]
            valAccuracy = history.history["val_acc"][0]

            lossValues[0].append({"x": i, "y": trainLoss})
            lossValues[1].append({"x": i, "y": valLoss})

            accuracyValues[0].append({"x": i, "y": trainAccuracy})
            accuracyValues[1].append({"x": i, "y": valAccuracy})

            self.shown["trainStatus"] = (
                f"Iteration {i + 1} of {iterations}: "
                f"Time per iteration: {modelFitTime:.3f} (seconds)"
            )
            self.shown["lossChart"] = {"values": lossValues, "series": ["train", "validation"]}
            self.shown["accuracyChart"] = {
                "values": accuracyValues,
                "series": ["train", "validation"],
            }

            if self.testXsForDisplay is None or self.testXsForDisplay.shape[0] != numTestExamples:
                # (sic) the original tests `this.textXsForDisplay`, a typo: always undefined.
                if getattr(self, "textXsForDisplay", None):
                    self.textXsForDisplay.dispose()
                self.testXsForDisplay = self.testXs.slice(
                    [0, 0, 0], [numTestExamples, self.testXs.shape[1], self.testXs.shape[2]]
                )

            examples = []
            isCorrect = []

            def show():
                predictOut = self.model.predict(self.testXsForDisplay)
                for k in range(numTestExamples):
                    scores = predictOut.slice(
                        [k, 0, 0], [1, predictOut.shape[1], predictOut.shape[2]]
                    ).as2D(predictOut.shape[1], predictOut.shape[2])
                    decoded = self.charTable.decode(scores)
                    examples.append(self.testData[k][0] + " = " + decoded)
                    isCorrect.append(self.testData[k][1].strip() == decoded.strip())

            tf.tidy(show)

            self.shown["testExamples"] = "\n".join(
                f'<div class="{"answer-correct" if isCorrect[i] else "answer-wrong"}">'
                f"{example}</div>"
                for i, example in enumerate(examples)
            )
        return lossValues, accuracyValues, examples


@pytest.mark.parametrize("rnnType", ["SimpleRNN", "GRU", "LSTM"])
def test_addition_rnn_demo_trains_and_decodes(rnnType):
    random.seed(1)
    tf.set_seed(1)
    digits, trainingSize, layers, hiddenSize = 2, 400, 1, 32
    batchSize, trainIterations, numTestExamples = 32, 4, 20

    # The checks runAdditionRNNDemo() does on the user's parameters.
    assert 1 <= digits <= 5
    assert trainingSize <= math.pow(math.pow(10, digits), 2)

    demo = AdditionRNNDemo(digits, trainingSize, rnnType, layers, hiddenSize)
    lossValues, accuracyValues, examples = asyncio.run(
        demo.train(trainIterations, batchSize, numTestExamples)
    )

    assert tuple(demo.trainXs.shape) == (360, 5, 12)
    assert tuple(demo.trainYs.shape) == (360, 3, 12)
    assert lossValues[0][-1]["y"] < lossValues[0][0]["y"]
    assert len(accuracyValues[1]) == trainIterations
    assert all(0 <= point["y"] <= 1 for point in accuracyValues[0])
    assert len(examples) == numTestExamples
    for example, datum in zip(examples, demo.testData):
        question, answer = example.split(" = ")
        assert question == datum[0]
        assert len(answer) == digits + 1
        assert set(answer) <= set("0123456789+ ")
    assert demo.shown["trainStatus"].startswith(f"Iteration {trainIterations} of {trainIterations}")
    # The encode() of a single string, used by the example's tests.
    assert tuple(demo.charTable.encode("12+3", 5).shape) == (5, 12)
    assert demo.charTable.decode(demo.charTable.encode("12+3 ", 5)) == "12+3 "
