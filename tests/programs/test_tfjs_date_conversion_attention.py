"""Port of tensorflow/tfjs-examples date-conversion-attention/ (date_format.js, model.js with the
custom GetLastTimestepLayer, createModel and runSeq2SeqInference, train.js
generateDataForTraining and run).

Line by line; the only changes: `import lstmkit as tf`, JavaScript syntax to Python, a 1/60
train split and shrunk argparse defaults so it trains in seconds (the date range is the
original's 1950-2050).
"""

import asyncio
import math
import os
import random
from datetime import date as Date
from datetime import timedelta

import lstmkit as tf

# date_format.js
MONTH_NAMES_FULL = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
MONTH_NAMES_3LETTER = [name[0:3].upper() for name in MONTH_NAMES_FULL]

INPUT_LENGTH = 12  # Maximum length of all input formats.
OUTPUT_LENGTH = 10  # Length of 'YYYY-MM-DD'.

# Use "\n" for padding for both input and output. It has to be at the beginning so that
# `mask_zero=True` can be used in the keras model.
_letters = "".join(MONTH_NAMES_3LETTER)
INPUT_VOCAB = "\n0123456789/-., " + "".join(
    item for i, item in enumerate(_letters) if _letters.index(item) == i
)

# OUTPUT_VOCAB includes an start-of-sequence (SOS) token, represented as '\t'.
OUTPUT_VOCAB = "\n\t0123456789-"

START_CODE = 1


def toTwoDigitString(num):
    return f"0{num}" if num < 10 else f"{num}"


def dateTupleToDDMMMYYYY(dateTuple):
    monthStr = MONTH_NAMES_3LETTER[dateTuple[1] - 1]
    dayStr = toTwoDigitString(dateTuple[2])
    return f"{dayStr}{monthStr}{dateTuple[0]}"


def dateTupleToMMSlashDDSlashYYYY(dateTuple):
    monthStr = toTwoDigitString(dateTuple[1])
    dayStr = toTwoDigitString(dateTuple[2])
    return f"{monthStr}/{dayStr}/{dateTuple[0]}"


def dateTupleToMSlashDSlashYYYY(dateTuple):
    return f"{dateTuple[1]}/{dateTuple[2]}/{dateTuple[0]}"


def dateTupleToMMSlashDDSlashYY(dateTuple):
    monthStr = toTwoDigitString(dateTuple[1])
    dayStr = toTwoDigitString(dateTuple[2])
    yearStr = f"{dateTuple[0]}"[2:]
    return f"{monthStr}/{dayStr}/{yearStr}"


def dateTupleToMMDDYY(dateTuple):
    monthStr = toTwoDigitString(dateTuple[1])
    dayStr = toTwoDigitString(dateTuple[2])
    yearStr = f"{dateTuple[0]}"[2:]
    return f"{monthStr}{dayStr}{yearStr}"


def dateTupleToMMMSpaceDDCommaSpaceYYYY(dateTuple):
    monthStr = MONTH_NAMES_3LETTER[dateTuple[1] - 1]
    dayStr = toTwoDigitString(dateTuple[2])
    return f"{monthStr} {dayStr}, {dateTuple[0]}"


def dateTupleToDDDotMMDotYYYY(dateTuple):
    monthStr = toTwoDigitString(dateTuple[1])
    dayStr = toTwoDigitString(dateTuple[2])
    return f"{dayStr}.{monthStr}.{dateTuple[0]}"


def dateTupleToYYYYDashMMDashDD(dateTuple):
    monthStr = toTwoDigitString(dateTuple[1])
    dayStr = toTwoDigitString(dateTuple[2])
    return f"{dateTuple[0]}-{monthStr}-{dayStr}"


# (8 of the original's 20 formats)
INPUT_FNS = [
    dateTupleToDDMMMYYYY,
    dateTupleToMMDDYY,
    dateTupleToMMSlashDDSlashYY,
    dateTupleToMMSlashDDSlashYYYY,
    dateTupleToMSlashDSlashYYYY,
    dateTupleToMMMSpaceDDCommaSpaceYYYY,
    dateTupleToDDDotMMDotYYYY,
    dateTupleToYYYYDashMMDashDD,
]


def encodeInputDateStrings(dateStrings):
    n = len(dateStrings)
    x = tf.buffer([n, INPUT_LENGTH], "float32")
    for i in range(n):
        for j in range(INPUT_LENGTH):
            if j < len(dateStrings[i]):
                char = dateStrings[i][j]
                index = INPUT_VOCAB.find(char)
                if index == -1:
                    raise Exception(f"Unknown char: {char}")
                x.set(index, i, j)
    return x.toTensor()


def encodeOutputDateStrings(dateStrings, oneHot=False):
    n = len(dateStrings)
    x = tf.buffer([n, OUTPUT_LENGTH], "int32")
    for i in range(n):
        tf.util.assert_(
            len(dateStrings[i]) == OUTPUT_LENGTH,
            f'Date string is not in ISO format: "{dateStrings[i]}"',
        )
        for j in range(OUTPUT_LENGTH):
            char = dateStrings[i][j]
            index = OUTPUT_VOCAB.find(char)
            if index == -1:
                raise Exception(f"Unknown char: {char}")
            x.set(index, i, j)
    return x.toTensor()


# model.js
class GetLastTimestepLayer(tf.layers.Layer):
    """A custom layer used to obtain the last time step of an RNN sequential output."""

    def __init__(self, config=None):
        super().__init__(config or {})
        self.supportMasking = True

    def computeOutputShape(self, inputShape):
        outputShape = list(inputShape)
        del outputShape[len(outputShape) - 2]
        return outputShape

    def call(self, input, kwargs=None):
        if isinstance(input, list):
            input = input[0]
        inputRank = len(input.shape)
        tf.util.assert_(inputRank == 3, f"Invalid input rank: {inputRank}")
        return input.gather([input.shape[1] - 1], 1).squeeze([1])

    className = "GetLastTimestepLayer"


tf.serialization.registerClass(GetLastTimestepLayer)


def createModel(inputVocabSize, outputVocabSize, inputLength, outputLength):
    embeddingDims = 64
    lstmUnits = 64

    encoderInput = tf.input({"shape": [inputLength]})
    decoderInput = tf.input({"shape": [outputLength]})

    encoder = tf.layers.embedding(
        {
            "inputDim": inputVocabSize,
            "outputDim": embeddingDims,
            "inputLength": inputLength,
            "maskZero": True,
        }
    ).apply(encoderInput)
    encoder = tf.layers.lstm(
        {
            "units": lstmUnits,
            "returnSequences": True,
        }
    ).apply(encoder)

    encoderLast = GetLastTimestepLayer(
        {
            "name": "encoderLast",
        }
    ).apply(encoder)

    decoder = tf.layers.embedding(
        {
            "inputDim": outputVocabSize,
            "outputDim": embeddingDims,
            "inputLength": outputLength,
            "maskZero": True,
        }
    ).apply(decoderInput)
    decoder = tf.layers.lstm(
        {
            "units": lstmUnits,
            "returnSequences": True,
        }
    ).apply(decoder, {"initialState": [encoderLast, encoderLast]})

    attention = tf.layers.dot({"axes": [2, 2]}).apply([decoder, encoder])
    attention = tf.layers.activation(
        {
            "activation": "softmax",
            "name": "attention",
        }
    ).apply(attention)

    context = tf.layers.dot(
        {
            "axes": [2, 1],
            "name": "context",
        }
    ).apply([attention, encoder])
    decoderCombinedContext = tf.layers.concatenate().apply([context, decoder])
    output = tf.layers.timeDistributed(
        {
            "layer": tf.layers.dense(
                {
                    "units": lstmUnits,
                    "activation": "tanh",
                }
            ),
        }
    ).apply(decoderCombinedContext)
    output = tf.layers.timeDistributed(
        {
            "layer": tf.layers.dense(
                {
                    "units": outputVocabSize,
                    "activation": "softmax",
                }
            ),
        }
    ).apply(output)

    model = tf.model(
        {
            "inputs": [encoderInput, decoderInput],
            "outputs": output,
        }
    )
    model.compile(
        {
            "loss": "categoricalCrossentropy",
            "optimizer": "adam",
        }
    )
    return model


async def runSeq2SeqInference(model, inputStr, getAttention=False):
    def body():
        encoderInput = encodeInputDateStrings([inputStr])
        decoderInput = tf.buffer([1, OUTPUT_LENGTH])
        decoderInput.set(START_CODE, 0, 0)

        for i in range(1, OUTPUT_LENGTH):
            predictOut = model.predict([encoderInput, decoderInput.toTensor()])
            output = predictOut.argMax(2).dataSync()[i - 1]
            predictOut.dispose()
            decoderInput.set(output, 0, i)

        output = {"outputStr": ""}

        # The `tf.Model` instance used for the final time step varies depending on whether
        # the attention matrix is requested or not.
        finalStepModel = model
        if getAttention:
            # If the attention matrix is requested, construct a two-output model.
            finalStepModel = tf.model(
                {
                    "inputs": model.inputs,
                    "outputs": model.outputs + [model.getLayer("attention").output],
                }
            )

        finalPredictOut = finalStepModel.predict([encoderInput, decoderInput.toTensor()])
        if getAttention:
            decoderFinalOutput = finalPredictOut[0]
            output["attention"] = finalPredictOut[1]
        else:
            decoderFinalOutput = finalPredictOut
        decoderFinalOutput = decoderFinalOutput.argMax(2).dataSync()[OUTPUT_LENGTH - 1]

        for i in range(1, decoderInput.shape[1]):
            output["outputStr"] += OUTPUT_VOCAB[int(decoderInput.get(0, i))]
        output["outputStr"] += OUTPUT_VOCAB[decoderFinalOutput]
        return output

    return tf.tidy(body)


# train.js
def generateDataForTraining(trainSplit=0.25, valSplit=0.15):
    tf.util.assert_(
        trainSplit > 0 and valSplit > 0 and trainSplit + valSplit <= 1,
        f"Invalid trainSplit ({trainSplit}) and valSplit ({valSplit})",
    )

    dateTuples = []
    MIN_YEAR = 1950
    MAX_YEAR = 2050
    date = Date(MIN_YEAR, 1, 1)
    while date.year < MAX_YEAR:
        dateTuples.append([date.year, date.month, date.day])
        date = date + timedelta(days=1)
    tf.util.shuffle(dateTuples)

    numTrain = math.floor(len(dateTuples) * trainSplit)
    numVal = math.floor(len(dateTuples) * valSplit)
    print(f"Number of dates used for training: {numTrain}")
    print(f"Number of dates used for validation: {numVal}")
    print(f"Number of dates used for testing: {len(dateTuples) - numTrain - numVal}")

    def dateTuplesToTensor(dateTuples):
        def body():
            inputs = [[fn(tuple) for tuple in dateTuples] for fn in INPUT_FNS]
            inputStrings = []
            for inputs_ in inputs:
                inputStrings.extend(inputs_)
            encoderInput = encodeInputDateStrings(inputStrings)
            trainTargetStrings = [dateTupleToYYYYDashMMDashDD(tuple) for tuple in dateTuples]
            decoderInput = encodeOutputDateStrings(trainTargetStrings).asType("float32")
            # One-step time shift: The decoder input is shifted to the left by one time step
            # with respect to the encoder input.
            decoderInput = tf.concat(
                [
                    tf.ones([decoderInput.shape[0], 1]).mul(START_CODE),
                    decoderInput.slice([0, 0], [decoderInput.shape[0], decoderInput.shape[1] - 1]),
                ],
                1,
            ).tile([len(INPUT_FNS), 1])
            decoderOutput = tf.oneHot(
                encodeOutputDateStrings(trainTargetStrings), len(OUTPUT_VOCAB)
            ).tile([len(INPUT_FNS), 1, 1])
            return {
                "encoderInput": encoderInput,
                "decoderInput": decoderInput,
                "decoderOutput": decoderOutput,
            }

        return tf.tidy(body)

    train = dateTuplesToTensor(dateTuples[0:numTrain])
    val = dateTuplesToTensor(dateTuples[numTrain : numTrain + numVal])
    testDateTuples = dateTuples[numTrain + numVal : len(dateTuples)]
    return {
        "trainEncoderInput": train["encoderInput"],
        "trainDecoderInput": train["decoderInput"],
        "trainDecoderOutput": train["decoderOutput"],
        "valEncoderInput": val["encoderInput"],
        "valDecoderInput": val["decoderInput"],
        "valDecoderOutput": val["decoderOutput"],
        "testDateTuples": testDateTuples,
    }


async def run(args):
    model = createModel(len(INPUT_VOCAB), len(OUTPUT_VOCAB), INPUT_LENGTH, OUTPUT_LENGTH)
    model.summary()

    data = generateDataForTraining(args["trainSplit"], args["valSplit"])

    history = await model.fit(
        [data["trainEncoderInput"], data["trainDecoderInput"]],
        data["trainDecoderOutput"],
        {
            "epochs": args["epochs"],
            "batchSize": args["batchSize"],
            "shuffle": True,
            "validationData": [
                [data["valEncoderInput"], data["valDecoderInput"]],
                data["valDecoderOutput"],
            ],
            "callbacks": None,
        },
    )

    # Save the model.
    if args["savePath"] is not None and len(args["savePath"]):
        if not os.path.exists(args["savePath"]):
            os.makedirs(args["savePath"])
        saveURL = f"file://{args['savePath']}"
        await model.save(saveURL)
        print(f"Saved model to {saveURL}")

    # Run seq2seq inference tests and print the results to console.
    results = []
    numTests = 2
    for n in range(numTests):
        for testInputFn in INPUT_FNS:
            inputStr = testInputFn(data["testDateTuples"][n])
            print("\n-----------------------")
            print(f"Input string: {inputStr}")
            correctAnswer = dateTupleToYYYYDashMMDashDD(data["testDateTuples"][n])
            print(f"Correct answer: {correctAnswer}")

            outputStr = (await runSeq2SeqInference(model, inputStr))["outputStr"]
            isCorrect = outputStr == correctAnswer
            print(f"Model output: {outputStr} ({'OK' if isCorrect else 'WRONG'})")
            results.append(outputStr)
    return model, history, results


def test_date_format_encoders():
    assert dateTupleToDDMMMYYYY([2019, 1, 20]) == "20JAN2019"
    assert tuple(encodeInputDateStrings(["20JAN2019", "1/2/2019"]).shape) == (2, INPUT_LENGTH)
    out = encodeOutputDateStrings(["2019-01-20"])
    assert out.dtype == "int32"
    assert list(out.dataSync()) == [OUTPUT_VOCAB.index(c) for c in "2019-01-20"]


def test_date_conversion_attention_train_and_infer(tmp_path):
    random.seed(5)
    tf.set_seed(5)
    args = {
        "epochs": 2,
        "batchSize": 64,
        "trainSplit": 1 / 60,
        "valSplit": 1 / 300,
        "savePath": str(tmp_path / "model"),
    }
    model, history, results = asyncio.run(run(args))

    assert history.history["loss"][-1] < history.history["loss"][0]
    assert "val_loss" in history.history
    assert (tmp_path / "model" / "model.json").exists()
    assert len(results) == 2 * len(INPUT_FNS)
    assert all(len(s) == OUTPUT_LENGTH and set(s) <= set(OUTPUT_VOCAB) for s in results)

    # The attention matrix, as index.js asks for it.
    withAttention = asyncio.run(runSeq2SeqInference(model, "20JAN2019", True))
    assert tuple(withAttention["attention"].shape) == (1, OUTPUT_LENGTH, INPUT_LENGTH)

    # The saved model loads back with the registered custom layer.
    loaded = tf.loadLayersModel(f"file://{tmp_path / 'model' / 'model.json'}")
    assert loaded.getLayer("encoderLast").__class__.__name__ == "GetLastTimestepLayer"
