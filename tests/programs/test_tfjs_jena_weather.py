"""Port of tensorflow/tfjs-examples jena-weather/ (data.js JenaWeatherData, models.js
getBaselineMeanAbsoluteError/buildModel/trainModel, train-rnn.js main).

Line by line; the only changes: `import lstmkit as tf`, JavaScript syntax to Python, the 41 MB
CSV replaced by 3 000 synthetic rows of the same 15 columns (parsed by the same load() code),
the row ranges and batchesPerEpoch scaled down to that size, argparse defaults shrunk.
"""

import asyncio
import math
import random
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

import lstmkit as tf

# Row ranges of the training and validation data subsets (200000 / 300000 in the original).
TRAIN_MIN_ROW = 0
TRAIN_MAX_ROW = 2000
VAL_MIN_ROW = 2001
VAL_MAX_ROW = 2900  # the original leaves 120k rows after it; r + delay must stay in the data
BATCHES_PER_EPOCH = 20  # 500 in the original

COLUMNS = [
    "Date Time",
    "p (mbar)",
    "T (degC)",
    "Tpot (K)",
    "Tdew (degC)",
    "rh (%)",
    "VPmax (mbar)",
    "VPact (mbar)",
    "VPdef (mbar)",
    "sh (g/kg)",
    "H2OC (mmol/mol)",
    "rho (g/m**3)",
    "wv (m/s)",
    "max. wv (m/s)",
    "wd (deg)",
]


def synthetic_csv(numRows=3000, seed=0):
    rng = random.Random(seed)
    lines = [",".join(f'"{c}"' for c in COLUMNS)]
    t0 = datetime(2009, 1, 1, 0, 10)
    for i in range(numRows):
        t = t0 + timedelta(minutes=10 * i)
        day = math.sin(2 * math.pi * i / 144)
        temp = 5 + 6 * day + 0.3 * rng.gauss(0, 1)
        row = [
            996 + rng.gauss(0, 1),
            temp,
            temp + 273.2,
            temp - 3,
            80 - 5 * day,
            8 + day,
            6 + day,
            2 + day,
            4 + 0.5 * day,
            6 + day,
            1250 - 4 * temp,
            2 + rng.random(),
            3 + rng.random(),
            180 + 90 * rng.random(),
        ]
        lines.append(t.strftime("%d.%m.%Y %H:%M:%S") + "," + ",".join(f"{v:.2f}" for v in row))
    return "\n".join(lines) + "\n"


# data.js
class JenaWeatherData:
    def __init__(self):
        pass

    async def load(self):
        csvData = synthetic_csv()  # await (await fetch(JENA_WEATHER_CSV_PATH)).text()

        # Parse CSV file.
        csvLines = csvData.split("\n")

        # Parse header.
        columnNames = csvLines[0].split(",")
        for i in range(len(columnNames)):
            # Discard the quotes around the column name.
            columnNames[i] = columnNames[i][1 : len(columnNames[i]) - 1]

        self.dateTimeCol = columnNames.index("Date Time")
        tf.util.assert_(self.dateTimeCol == 0, "Unexpected date-time column index")

        self.dataColumnNames = columnNames[1:]
        self.tempCol = self.dataColumnNames.index("T (degC)")
        tf.util.assert_(self.tempCol >= 1, "Unexpected T (degC) column index")

        self.dateTime = []
        self.data = []  # Unnormalized data.
        # Day of the year data, normalized between 0 and 1.
        self.normalizedDayOfYear = []
        # Time of the day, normalized between 0 and 1.
        self.normalizedTimeOfDay = []
        for i in range(1, len(csvLines)):
            line = csvLines[i].strip()
            if len(line) == 0:
                continue
            items = line.split(",")
            parsed = self.parseDateTime_(items[0])
            newDateTime = parsed["date"]

            self.dateTime.append(newDateTime)
            self.data.append([+float(x) for x in items[1:]])
            self.normalizedDayOfYear.append(parsed["normalizedDayOfYear"])
            self.normalizedTimeOfDay.append(parsed["normalizedTimeOfDay"])
        self.numRows = len(self.data)
        self.numColumns = len(self.data[0])
        self.numColumnsExcludingTarget = len(self.data[0]) - 1
        print(f"this.numColumnsExcludingTarget = {self.numColumnsExcludingTarget}")

        await self.calculateMeansAndStddevs_()

    def parseDateTime_(self, str):
        items = str.split(" ")
        dateStr = items[0]
        dateStrItems = dateStr.split(".")
        day = int(dateStrItems[0])
        month = int(dateStrItems[1])
        year = int(dateStrItems[2])

        timeStrItems = items[1].split(":")
        hours = int(timeStrItems[0])
        minutes = int(timeStrItems[1])
        seconds = int(timeStrItems[2])

        date = datetime(year, month, day, hours, minutes, seconds, tzinfo=timezone.utc)
        yearOnset = datetime(year, 1, 1, tzinfo=timezone.utc)
        normalizedDayOfYear = (date - yearOnset).total_seconds() / (366 * 60 * 60 * 24)
        dayOnset = datetime(year, month, day, tzinfo=timezone.utc)
        normalizedTimeOfDay = (date - dayOnset).total_seconds() / (60 * 60 * 24)
        return {
            "date": date,
            "normalizedDayOfYear": normalizedDayOfYear,
            "normalizedTimeOfDay": normalizedTimeOfDay,
        }

    # Calculate the means and standard deviations of every column.
    async def calculateMeansAndStddevs_(self):
        def body():
            self.means = []
            self.stddevs = []
            for columnName in self.dataColumnNames:
                # TODO(cais): See if we can relax this limit.
                data = tf.tensor1d(self.getColumnData(columnName)[0 : 6 * 24 * 365])
                moments = tf.moments(data)
                # (JS coerces the 1-element Float32Array to a number)
                self.means.append(moments.mean.dataSync()[0])
                self.stddevs.append(math.sqrt(moments.variance.dataSync()[0]))
            print("means:", self.means)
            print("stddevs:", self.stddevs)

        tf.tidy(body)

        # Cache normalized values.
        self.normalizedData = []
        for i in range(self.numRows):
            row = []
            for j in range(self.numColumns):
                row.append((self.data[i][j] - self.means[j]) / self.stddevs[j])
            self.normalizedData.append(row)

    def getDataColumnNames(self):
        return self.dataColumnNames

    def getColumnData(
        self,
        columnName,
        includeTime=False,
        normalize=False,
        beginIndex=None,
        length=None,
        stride=None,
    ):
        columnIndex = self.dataColumnNames.index(columnName)
        tf.util.assert_(columnIndex >= 0, f"Invalid column name: {columnName}")

        if beginIndex is None:
            beginIndex = 0
        if length is None:
            length = self.numRows - beginIndex
        if stride is None:
            stride = 1
        out = []
        i = beginIndex
        while i < beginIndex + length and i < self.numRows:
            value = self.normalizedData[i][columnIndex] if normalize else self.data[i][columnIndex]
            if includeTime:
                value = {"x": self.dateTime[i].timestamp() * 1000, "y": value}
            out.append(value)
            i += stride
        return out

    # Get a data iterator function.
    def getNextBatchFunction(
        self,
        shuffle,
        lookBack,
        delay,
        batchSize,
        step,
        minIndex,
        maxIndex,
        normalize,
        includeDateTime,
    ):
        startIndex = minIndex + lookBack
        lookBackSlices = math.floor(lookBack / step)

        def next():
            nonlocal startIndex
            rowIndices = []
            done = False  # Indicates whether the dataset has ended.
            if shuffle:
                # If `shuffle` is `true`, start from randomly chosen rows.
                range_ = maxIndex - (minIndex + lookBack)
                for i in range(batchSize):
                    row = minIndex + lookBack + math.floor(random.random() * range_)
                    rowIndices.append(row)
            else:
                # If `shuffle` is `false`, the starting row indices will be sequential.
                r = startIndex
                while r < startIndex + batchSize and r < maxIndex:
                    rowIndices.append(r)
                    r += 1
                if r >= maxIndex:
                    done = True

            numExamples = len(rowIndices)
            startIndex += numExamples

            featureLength = self.numColumns + 2 if includeDateTime else self.numColumns
            samples = tf.buffer([numExamples, lookBackSlices, featureLength])
            targets = tf.buffer([numExamples, 1])
            # Iterate over examples. Each example contains a number of rows.
            for j in range(numExamples):
                rowIndex = rowIndices[j]
                exampleRow = 0
                # Iterate over rows in the example.
                for r in range(rowIndex - lookBack, rowIndex, step):
                    exampleCol = 0
                    # Iterate over features in the row.
                    for n in range(featureLength):
                        if n < self.numColumns:
                            value = self.normalizedData[r][n] if normalize else self.data[r][n]
                        elif n == self.numColumns:
                            # Normalized day-of-the-year feature.
                            value = self.normalizedDayOfYear[r]
                        else:
                            # Normalized time-of-the-day feature.
                            value = self.normalizedTimeOfDay[r]
                        samples.set(value, j, exampleRow, exampleCol)
                        exampleCol += 1

                    value = (
                        self.normalizedData[r + delay][self.tempCol]
                        if normalize
                        else self.data[r + delay][self.tempCol]
                    )
                    targets.set(value, j, 0)
                    exampleRow += 1
            return {
                "value": {"xs": samples.toTensor(), "ys": targets.toTensor()},
                "done": done,
            }

        return SimpleNamespace(next=next)  # the object literal {next: () => {...}}


# models.js
async def getBaselineMeanAbsoluteError(
    jenaWeatherData, normalize, includeDateTime, lookBack, step, delay
):
    batchSize = 128
    dataset = tf.data.generator(
        lambda: jenaWeatherData.getNextBatchFunction(
            False,
            lookBack,
            delay,
            batchSize,
            step,
            VAL_MIN_ROW,
            VAL_MAX_ROW,
            normalize,
            includeDateTime,
        )
    )

    batchMeanAbsoluteErrors = []
    batchSizes = []

    def each(dataItem):
        features = dataItem["xs"]
        targets = dataItem["ys"]
        timeSteps = features.shape[1]
        batchSizes.append(features.shape[0])
        batchMeanAbsoluteErrors.append(
            tf.tidy(
                lambda: tf.losses.absoluteDifference(
                    targets, features.gather([timeSteps - 1], 1).gather([1], 2).squeeze([2])
                )
            )
        )

    await dataset.forEachAsync(each)

    def mean():
        batchSizesTensor = tf.tensor1d(batchSizes)
        batchMeanAbsoluteErrorsTensor = tf.stack(batchMeanAbsoluteErrors)
        return batchMeanAbsoluteErrorsTensor.mul(batchSizesTensor).sum().div(batchSizesTensor.sum())

    meanAbsoluteError = tf.tidy(mean)
    tf.dispose(batchMeanAbsoluteErrors)
    return meanAbsoluteError.dataSync()[0]


def buildLinearRegressionModel(inputShape):
    model = tf.sequential()
    model.add(tf.layers.flatten({"inputShape": inputShape}))
    model.add(tf.layers.dense({"units": 1}))
    return model


def buildMLPModel(inputShape, kernelRegularizer=None, dropoutRate=None):
    model = tf.sequential()
    model.add(tf.layers.flatten({"inputShape": inputShape}))
    model.add(
        tf.layers.dense({"units": 32, "kernelRegularizer": kernelRegularizer, "activation": "relu"})
    )
    if dropoutRate is not None and dropoutRate > 0:
        model.add(tf.layers.dropout({"rate": dropoutRate}))
    model.add(tf.layers.dense({"units": 1}))
    return model


def buildSimpleRNNModel(inputShape):
    model = tf.sequential()
    rnnUnits = 32
    model.add(tf.layers.simpleRNN({"units": rnnUnits, "inputShape": inputShape}))
    model.add(tf.layers.dense({"units": 1}))
    return model


def buildGRUModel(inputShape, dropout=None, recurrentDropout=None):
    # TODO(cais): Recurrent dropout is currently not fully working.
    model = tf.sequential()
    rnnUnits = 32
    model.add(
        tf.layers.gru(
            {
                "units": rnnUnits,
                "inputShape": inputShape,
                "dropout": dropout or 0,
                "recurrentDropout": recurrentDropout or 0,
            }
        )
    )
    model.add(tf.layers.dense({"units": 1}))
    return model


def buildModel(modelType, numTimeSteps, numFeatures):
    inputShape = [numTimeSteps, numFeatures]

    print(f"modelType = {modelType}")
    if modelType == "mlp":
        model = buildMLPModel(inputShape)
    elif modelType == "mlp-l2":
        model = buildMLPModel(inputShape, tf.regularizers.l2())
    elif modelType == "linear-regression":
        model = buildLinearRegressionModel(inputShape)
    elif modelType == "mlp-dropout":
        regularizer = None
        dropoutRate = 0.25
        model = buildMLPModel(inputShape, regularizer, dropoutRate)
    elif modelType == "simpleRNN":
        model = buildSimpleRNNModel(inputShape)
    elif modelType == "gru":
        model = buildGRUModel(inputShape)
    else:
        raise Exception(f"Unsupported model type: {modelType}")

    model.compile({"loss": "meanAbsoluteError", "optimizer": "rmsprop"})
    model.summary()
    return model


async def trainModel(
    model,
    jenaWeatherData,
    normalize,
    includeDateTime,
    lookBack,
    step,
    delay,
    batchSize,
    epochs,
    customCallback,
):
    trainShuffle = True
    trainDataset = tf.data.generator(
        lambda: jenaWeatherData.getNextBatchFunction(
            trainShuffle,
            lookBack,
            delay,
            batchSize,
            step,
            TRAIN_MIN_ROW,
            TRAIN_MAX_ROW,
            normalize,
            includeDateTime,
        )
    ).prefetch(8)
    evalShuffle = False
    valDataset = tf.data.generator(
        lambda: jenaWeatherData.getNextBatchFunction(
            evalShuffle,
            lookBack,
            delay,
            batchSize,
            step,
            VAL_MIN_ROW,
            VAL_MAX_ROW,
            normalize,
            includeDateTime,
        )
    )

    return await model.fitDataset(
        trainDataset,
        {
            "batchesPerEpoch": BATCHES_PER_EPOCH,
            "epochs": epochs,
            "callbacks": customCallback,
            "validationData": valDataset,
        },
    )


# train-rnn.js
async def main(args):
    jenaWeatherData = JenaWeatherData()
    print("Loading Jena weather data...")
    await jenaWeatherData.load()

    if args["modelType"] == "baseline":
        print("Calculating commonsense baseline mean absolute error...")
        baselineError = await getBaselineMeanAbsoluteError(
            jenaWeatherData,
            args["normalize"],
            args["includeDateTime"],
            args["lookBack"],
            args["step"],
            args["delay"],
        )
        print(f"Commonsense baseline mean absolute error: {baselineError:.6f}")
        return baselineError
    else:
        numFeatures = len(jenaWeatherData.getDataColumnNames())
        model = buildModel(
            args["modelType"], math.floor(args["lookBack"] / args["step"]), numFeatures
        )

        callback = []
        if args["earlyStoppingPatience"] is not None:
            print(f"Using earlyStoppingCallback with patience {args['earlyStoppingPatience']}.")
            callback.append(
                tf.callbacks.earlyStopping(
                    {
                        "patience": args["earlyStoppingPatience"],
                    }
                )
            )
        # index.js passes tfvis.show.fitCallbacks(...): {onBatchEnd, onEpochEnd} functions.
        epochLogs = []

        async def onEpochEnd(epoch, logs):
            epochLogs.append(dict(logs))

        callback.append({"onEpochEnd": onEpochEnd})

        await trainModel(
            model,
            jenaWeatherData,
            args["normalize"],
            args["includeDateTime"],
            args["lookBack"],
            args["step"],
            args["delay"],
            args["batchSize"],
            args["epochs"],
            callback,
        )
        return model, epochLogs


ARGS = {
    "lookBack": 60,
    "step": 6,
    "delay": 12,
    "normalize": True,
    "includeDateTime": False,
    "batchSize": 32,
    "epochs": 3,
    "earlyStoppingPatience": 2,
}


def test_jena_weather_baseline():
    baselineError = asyncio.run(main({**ARGS, "modelType": "baseline"}))
    assert 0 < baselineError < 1.5


@pytest.mark.parametrize("modelType", ["gru", "simpleRNN", "mlp-l2"])
def test_jena_weather_train_rnn(modelType):
    random.seed(0)
    tf.set_seed(0)
    model, epochLogs = asyncio.run(main({**ARGS, "modelType": modelType}))
    assert len(epochLogs) == 3
    assert set(epochLogs[0]) >= {"loss", "val_loss"}
    assert epochLogs[-1]["loss"] < epochLogs[0]["loss"]
    assert tuple(model.outputs[0].shape) == (None, 1)
