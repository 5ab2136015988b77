"""Port of tensorflow/tfjs-examples lstm-text-generation/ (data.js TextData, model.js
createModel/compileModel/fitModel/generateText/sample, train_node.js main).

Line by line; the only changes: `import lstmkit as tf`, JavaScript syntax to Python, the
downloaded corpus replaced by a short repeated text, argparse defaults shrunk.
"""

import asyncio
import random

import lstmkit as tf


# data.js
class TextData:
    def __init__(self, dataIdentifier, textString, sampleLen, sampleStep):
        tf.util.assert_(
            sampleLen > 0, f"Expected sampleLen to be a positive integer, but got {sampleLen}"
        )
        tf.util.assert_(
            sampleStep > 0, f"Expected sampleStep to be a positive integer, but got {sampleStep}"
        )

        if not dataIdentifier:
            raise Exception("Model identifier is not provided.")

        self.dataIdentifier_ = dataIdentifier

        self.textString_ = textString
        self.textLen_ = len(textString)
        self.sampleLen_ = sampleLen
        self.sampleStep_ = sampleStep

        self.getCharSet_()
        self.convertAllTextToIndices_()

    def dataIdentifier(self):
        return self.dataIdentifier_

    def textLen(self):
        return self.textLen_

    def sampleLen(self):
        return self.sampleLen_

    def charSetSize(self):
        return self.charSetSize_

    # Generate the next epoch of data for training models.
    def nextDataEpoch(self, numExamples):
        self.generateExampleBeginIndices_()

        if numExamples is None:
            numExamples = len(self.exampleBeginIndices_)

        xsBuffer = tf.TensorBuffer([numExamples, self.sampleLen_, self.charSetSize_])
        ysBuffer = tf.TensorBuffer([numExamples, self.charSetSize_])
        for i in range(numExamples):
            beginIndex = self.exampleBeginIndices_[
                self.examplePosition_ % len(self.exampleBeginIndices_)
            ]
            for j in range(self.sampleLen_):
                xsBuffer.set(1, i, j, self.indices_[beginIndex + j])
            ysBuffer.set(1, i, self.indices_[beginIndex + self.sampleLen_])
            self.examplePosition_ += 1
        return [xsBuffer.toTensor(), ysBuffer.toTensor()]

    def getFromCharSet(self, index):
        return self.charSet_[index]

    def textToIndices(self, text):
        indices = []
        for i in range(len(text)):
            indices.append(self.charSet_.index(text[i]))
        return indices

    def getRandomSlice(self):
        startIndex = round(random.random() * (self.textLen_ - self.sampleLen_ - 1))
        textSlice = self.slice_(startIndex, startIndex + self.sampleLen_)
        return [textSlice, self.textToIndices(textSlice)]

    def slice_(self, startIndex, endIndex):
        return self.textString_[startIndex:endIndex]

    def getCharSet_(self):
        self.charSet_ = []
        for i in range(self.textLen_):
            if self.textString_[i] not in self.charSet_:
                self.charSet_.append(self.textString_[i])
        self.charSetSize_ = len(self.charSet_)

    def convertAllTextToIndices_(self):
        self.indices_ = list(self.textToIndices(self.textString_))  # new Uint16Array(...)

    def generateExampleBeginIndices_(self):
        # Prepare beginning indices of examples.
        self.exampleBeginIndices_ = []
        for i in range(0, self.textLen_ - self.sampleLen_ - 1, self.sampleStep_):
            self.exampleBeginIndices_.append(i)

        # Randomly shuffle the beginning indices.
        tf.util.shuffle(self.exampleBeginIndices_)
        self.examplePosition_ = 0


# model.js
def createModel(sampleLen, charSetSize, lstmLayerSizes):
    if not isinstance(lstmLayerSizes, list):
        lstmLayerSizes = [lstmLayerSizes]

    model = tf.sequential()
    for i in range(len(lstmLayerSizes)):
        lstmLayerSize = lstmLayerSizes[i]
        model.add(
            tf.layers.lstm(
                {
                    "units": lstmLayerSize,
                    "returnSequences": i < len(lstmLayerSizes) - 1,
                    "inputShape": [sampleLen, charSetSize] if i == 0 else None,
                }
            )
        )
    model.add(tf.layers.dense({"units": charSetSize, "activation": "softmax"}))

    return model


def compileModel(model, learningRate):
    optimizer = tf.train.rmsprop(learningRate)
    model.compile({"optimizer": optimizer, "loss": "categoricalCrossentropy"})
    print(f"Compiled model with learning rate {learningRate}")
    model.summary()


async def fitModel(
    model, textData, numEpochs, examplesPerEpoch, batchSize, validationSplit, callbacks
):
    for i in range(numEpochs):
        [xs, ys] = textData.nextDataEpoch(examplesPerEpoch)
        await model.fit(
            xs,
            ys,
            {
                "epochs": 1,
                "batchSize": batchSize,
                "validationSplit": validationSplit,
                "callbacks": callbacks,
            },
        )
        xs.dispose()
        ys.dispose()


async def generateText(
    model, textData, sentenceIndices, length, temperature, onTextGenerationChar=None
):
    sampleLen = model.inputs[0].shape[1]
    charSetSize = model.inputs[0].shape[2]

    # Avoid overwriting the original input.
    sentenceIndices = sentenceIndices[:]

    generated = ""
    while len(generated) < length:
        # Encode the current input sequence as a one-hot Tensor.
        inputBuffer = tf.TensorBuffer([1, sampleLen, charSetSize])

        # Make the one-hot encoding of the seeding sentence.
        for i in range(sampleLen):
            inputBuffer.set(1, 0, i, sentenceIndices[i])
        input = inputBuffer.toTensor()

        # Call model.predict() to get the probability values of the next character.
        output = model.predict(input)

        # Sample randomly based on the probability values.
        winnerIndex = sample(tf.squeeze(output), temperature)
        winnerChar = textData.getFromCharSet(winnerIndex)
        if onTextGenerationChar is not None:
            await onTextGenerationChar(winnerChar)

        generated += winnerChar
        sentenceIndices = sentenceIndices[1:]
        sentenceIndices.append(winnerIndex)

        # Memory cleanups.
        input.dispose()
        output.dispose()
    return generated


def sample(probs, temperature):
    def body():
        logits = tf.div(tf.log(probs), max(temperature, 1e-6))
        isNormalized = False
        # `logits` is for a multinomial distribution, scaled by the temperature.
        # We randomly draw a sample from the distribution.
        return tf.multinomial(logits, 1, None, isNormalized).dataSync()[0]

    return tf.tidy(body)


# train_node.js
async def main(args, log):
    text = "the quick brown fox jumps over the lazy dog. " * 40
    textData = TextData("text-data", text, args["sampleLen"], args["sampleStep"])

    # Convert lstmLayerSize from string to number array before handing it to `createModel()`.
    lstmLayerSize = (
        int(args["lstmLayerSize"])
        if args["lstmLayerSize"].find(",") == -1
        else [int(x) for x in args["lstmLayerSize"].split(",")]
    )

    model = createModel(textData.sampleLen(), textData.charSetSize(), lstmLayerSize)
    compileModel(model, args["learningRate"])

    # Get a seed text for display in the course of model training.
    [seed, seedIndices] = textData.getRandomSlice()
    print(f'Seed text:\n"{seed}"\n')

    DISPLAY_TEMPERATURES = [0, 0.25, 0.5, 0.75]

    epochCount = 0

    async def onTrainBegin(logs=None):
        nonlocal epochCount
        epochCount += 1
        print(f"Epoch {epochCount} of {args['epochs']}:")

    async def onEpochEnd(epoch, logs):  # added by the test: records the loss
        log.append(logs["loss"])

    async def onTrainEnd(logs=None):
        # DISPLAY_TEMPERATURES.forEach(async temperature => {...}), awaited in turn
        for temperature in DISPLAY_TEMPERATURES:
            generated = await generateText(
                model, textData, seedIndices, args["displayLength"], temperature
            )
            print(f'Generated text (temperature={temperature}):\n"{generated}"\n')
            log.append(generated)

    await fitModel(
        model,
        textData,
        args["epochs"],
        args["examplesPerEpoch"],
        args["batchSize"],
        args["validationSplit"],
        {
            "onTrainBegin": onTrainBegin,
            "onEpochEnd": onEpochEnd,
            "onTrainEnd": onTrainEnd,
        },
    )

    if args["savePath"] is not None and len(args["savePath"]) > 0:
        await model.save(f"file://{args['savePath']}")
        print(f"Saved model to {args['savePath']}")
    return model, textData, epochCount


def test_text_data_next_data_epoch_as_data_test():
    random.seed(0)
    textData = TextData("id", "abcabcabcabc", 3, 1)
    assert textData.charSetSize() == 3
    [xs, ys] = textData.nextDataEpoch(4)
    assert tuple(xs.shape) == (4, 3, 3)
    assert tuple(ys.shape) == (4, 3)
    assert xs.sum().dataSync()[0] == 12
    assert textData.textToIndices("cab") == [2, 0, 1]


def test_lstm_text_generation_train_node(tmp_path):
    random.seed(3)
    tf.set_seed(3)
    args = {
        "sampleLen": 20,
        "sampleStep": 3,
        "learningRate": 1e-2,
        "epochs": 4,
        "examplesPerEpoch": 256,
        "batchSize": 64,
        "validationSplit": 0.0625,
        "displayLength": 30,
        "savePath": str(tmp_path / "model"),
        "lstmLayerSize": "32,32",
    }
    log = []
    model, textData, epochCount = asyncio.run(main(args, log))

    losses = [x for x in log if isinstance(x, float)]
    texts = [x for x in log if isinstance(x, str)]
    assert epochCount == 4
    assert len(losses) == 4 and losses[-1] < losses[0]
    assert len(texts) == 4 * 4  # onTrainEnd after each of the 4 fit() calls
    assert all(len(t) == 30 and set(t) <= set(textData.charSet_) for t in texts)
    assert (tmp_path / "model" / "model.json").exists()
    loaded = tf.loadLayersModel(f"file://{tmp_path / 'model' / 'model.json'}")
    assert list(loaded.inputs[0].shape) == [None, 20, textData.charSetSize()]
