"""TF.js's own callback tests, ported: tfjs-layers 4.22 `src/base_callbacks_test.ts` (BaseLogger,
CallbackList, History, resolveScalarsInLogs, disposeTensorsInLogs, CallbackConstructorRegistry)
and `src/callbacks_test.ts` (EarlyStopping, by hand and in fit).

Each test names its TF.js `describe(...)` block and `it(...)` title in a comment (`# TF.js:
'<describe>' > '<it>'`); the expected values and error phrases are TF.js's. TF.js's
`async () => {... await callback.onEpochEnd(...)}` bodies run here in `asyncio.run`: every hook
of lstmkit's callbacks can be awaited, as TF.js's promises.

TF.js's `model.stopTraining` `toBeUndefined()` (never set) is `model.stopTraining is None`
(Keras's `model.stop_training` is False from the start).
TF.js's `console.warn` (EarlyStopping's missing monitor) is a Python warning here.

Nothing skipped: every `it()` of both files is here.
"""

from __future__ import annotations

import asyncio

import pytest

import lstmkit as tf
from lstmkit.callbacks import (
    BaseCallback,
    BaseLogger,
    CallbackConstructorRegistry,
    CallbackList,
    History,
    disposeTensorsInLogs,
    resolveScalarsInLogs,
)

tfl = tf


def run(coro):
    return asyncio.run(coro)


def to_be_close_to(actual, expected, digits=2):
    assert abs(actual - expected) < 10**-digits / 2, (actual, expected)


# ================================================================================================
# describe('BaseLogger Callback')
# ================================================================================================
def test_base_logger_records_and_averages_losses_in_an_epoch():
    # TF.js: 'BaseLogger Callback' > 'Records and averages losses in an epoch'
    async def main():
        base_logger = BaseLogger()
        base_logger.setParams({"metrics": ["loss", "val_loss"]})
        await base_logger.onTrainBegin()
        await base_logger.onEpochBegin(0)
        await base_logger.onBatchBegin(0)
        await base_logger.onBatchEnd(0, {"batch": 0, "size": 10, "loss": 5})
        await base_logger.onBatchBegin(1)
        await base_logger.onBatchEnd(1, {"batch": 1, "size": 10, "loss": 6})
        await base_logger.onBatchBegin(2)
        await base_logger.onBatchEnd(2, {"batch": 2, "size": 5, "loss": 7})
        epoch_log = {"val_loss": 3}
        await base_logger.onEpochEnd(0, epoch_log)
        assert epoch_log["val_loss"] == 3
        to_be_close_to(epoch_log["loss"], (10 * 5 + 10 * 6 + 5 * 7) / (10 + 10 + 5))

    run(main())


def test_base_logger_forgets_old_epochs():
    # TF.js: 'BaseLogger Callback' > 'Forgets old epochs'
    async def main():
        base_logger = BaseLogger()
        base_logger.setParams({"metrics": ["loss", "val_loss"]})
        num_old_epochs = 2
        await base_logger.onTrainBegin()
        for i in range(num_old_epochs):
            await base_logger.onEpochBegin(i)
            await base_logger.onBatchBegin(0)
            await base_logger.onBatchEnd(0, {"batch": 0, "size": 10, "loss": -5})
            await base_logger.onEpochEnd(i, {"val_loss": 3})
        await base_logger.onEpochBegin(num_old_epochs)
        await base_logger.onBatchBegin(0)
        await base_logger.onBatchEnd(0, {"batch": 0, "size": 10, "loss": 5})
        await base_logger.onBatchBegin(1)
        await base_logger.onBatchEnd(1, {"batch": 1, "size": 10, "loss": 6})
        await base_logger.onBatchBegin(2)
        await base_logger.onBatchEnd(2, {"batch": 2, "size": 5, "loss": 7})
        epoch_log = {"val_loss": 3}
        await base_logger.onEpochEnd(num_old_epochs, epoch_log)
        assert epoch_log["val_loss"] == 3
        to_be_close_to(epoch_log["loss"], (10 * 5 + 10 * 6 + 5 * 7) / (10 + 10 + 5))

    run(main())


# ================================================================================================
# describe('CallbackList')
# ================================================================================================
def test_callback_list_constructor_with_empty_arg():
    # TF.js: 'CallbackList' > 'Constructor with empty arg'
    async def main():
        callback_list = CallbackList()
        await callback_list.onTrainBegin()
        await callback_list.onTrainEnd()

    run(main())


def test_callback_list_constructor_and_set_params_with_array_of_callbacks():
    # TF.js: 'CallbackList' > 'Constructor and setParams with array of callbacks'
    history1, history2 = History(), History()
    callback_list = CallbackList([history1, history2])
    params = {"verbose": 3}
    callback_list.setParams(params)
    assert history1.params == params
    assert history2.params == params


def test_callback_list_on_train_begin():
    # TF.js: 'CallbackList' > 'onTrainBegin'
    async def main():
        history1, history2 = History(), History()
        callback_list = CallbackList([history1, history2])
        await callback_list.onTrainBegin()
        assert history1.epoch == [] and history1.history == {}
        assert history2.epoch == [] and history2.history == {}

    run(main())


def test_callback_list_on_epoch_end():
    # TF.js: 'CallbackList' > 'onEpochEnd'
    async def main():
        history1, history2 = History(), History()
        callback_list = CallbackList([history1, history2])
        await callback_list.onTrainBegin()
        await callback_list.onEpochEnd(100, {"val_loss": 10, "val_accuracy": 0.1})
        for h in (history1, history2):
            assert h.epoch == [100]
            assert h.history == {"val_loss": [10], "val_accuracy": [0.1]}
        await callback_list.onEpochEnd(101, {"val_loss": 9.5, "val_accuracy": 0.2})
        for h in (history1, history2):
            assert h.epoch == [100, 101]
            assert h.history == {"val_loss": [10, 9.5], "val_accuracy": [0.1, 0.2]}

    run(main())


def test_callback_list_append():
    # TF.js: 'CallbackList' > 'append'
    async def main():
        history1, history2 = History(), History()
        callback_list = CallbackList([history1])
        await callback_list.onTrainBegin()
        assert history1.epoch == [] and history1.history == {}
        await callback_list.append(history2)
        await callback_list.onTrainBegin()
        assert history2.epoch == [] and history2.history == {}
        assert callback_list.callbacks == [history1, history2]

    run(main())


# ================================================================================================
# describeMathCPUAndGPU('resolveScalarsInLogs')
# ================================================================================================
def test_resolve_scalars_in_logs_mixed_numbers_and_scalars():
    # TF.js: 'resolveScalarsInLogs' > 'Resolve mixed numbers and scalars'
    async def main():
        logs = {"a": 1, "b": tf.scalar(2), "c": -3, "d": tf.scalar(-4)}
        await resolveScalarsInLogs(logs)
        assert logs == {"a": 1, "b": 2, "c": -3, "d": -4}
        assert all(isinstance(v, (int, float)) for v in logs.values())

    run(main())


def test_resolve_scalars_in_logs_null_works_fine():
    # TF.js: 'resolveScalarsInLogs' > 'Resolve null works fine'
    async def main():
        logs = None
        await resolveScalarsInLogs(logs)
        assert logs is None

    run(main())


def test_resolve_scalars_in_logs_empty_works_fine():
    # TF.js: 'resolveScalarsInLogs' > 'Resolve empty works fine'
    async def main():
        logs: dict = {}
        await resolveScalarsInLogs(logs)
        assert logs == {}

    run(main())


# ================================================================================================
# describeMathCPUAndGPU('disposeTensorsInLogs')
# ================================================================================================
def test_dispose_tensors_in_logs_mixed_numbers_and_scalars():
    # TF.js: 'disposeTensorsInLogs' > 'Resolve mixed numbers and scalars'
    logs = {"a": 1, "b": tf.scalar(2), "c": -3, "d": tf.scalar(-4)}
    disposeTensorsInLogs(logs)
    assert logs["a"] == 1
    assert logs["b"].isDisposed is True
    assert logs["c"] == -3
    assert logs["d"].isDisposed is True


# ================================================================================================
# describe('History Callback')
# ================================================================================================
def test_history_callback_on_train_begin():
    # TF.js: 'History Callback' > 'onTrainBegin'
    async def main():
        history = History()
        await history.onTrainBegin()
        assert history.epoch == [] and history.history == {}

    run(main())


def test_history_callback_on_epoch_end():
    # TF.js: 'History Callback' > 'onEpochEnd'
    async def main():
        history = History()
        await history.onTrainBegin()
        await history.onEpochEnd(0, {"val_loss": 10, "val_accuracy": 0.1})
        assert history.epoch == [0]
        assert history.history == {"val_loss": [10], "val_accuracy": [0.1]}
        await history.onEpochEnd(1, {"val_loss": 9.5, "val_accuracy": 0.2})
        assert history.epoch == [0, 1]
        assert history.history == {"val_loss": [10, 9.5], "val_accuracy": [0.1, 0.2]}

    run(main())


class MockLayersModel(tf.LayersModel):
    def __init__(self, name):
        super().__init__({"inputs": [], "outputs": [], "name": name})


class MockCallback(tf.Callback):
    pass


def test_callback_list_constructor_and_set_model_with_array_of_callbacks():
    # TF.js: 'CallbackList' > 'Constructor and setModel with array of callbacks'
    mock_callback1, mock_callback2 = MockCallback(), MockCallback()
    callback_list = CallbackList([mock_callback1, mock_callback2])
    model = MockLayersModel("MockModelA")
    callback_list.setModel(model)
    assert mock_callback1.model is model
    assert mock_callback2.model is model


# ================================================================================================
# describe('CallbackConstructorRegistry')
# ================================================================================================
fake1_epochs: list[int] = []
fake2_epochs: list[int] = []


class FakeCallback1(BaseCallback):
    def __init__(self):
        super().__init__()
        fake1_epochs.clear()

    async def onEpochEnd(self, epoch, logs=None):  # noqa: N802  (TF.js's spelling)
        fake1_epochs.append(epoch)


class FakeCallback2(BaseCallback):
    def __init__(self):
        super().__init__()
        fake2_epochs.clear()

    async def onEpochEnd(self, epoch, logs=None):  # noqa: N802
        fake2_epochs.append(epoch)


@pytest.fixture
def clear_registry():
    CallbackConstructorRegistry.clear()  # TF.js's beforeEach
    fake1_epochs.clear()
    fake2_epochs.clear()
    yield
    CallbackConstructorRegistry.clear()


def test_registry_empty_creates_empty_list_of_callbacks(clear_registry):
    # TF.js: 'CallbackConstructorRegistry' > 'Empty registry creates empty list of callbacks'
    for level in (0, 1, 2):
        assert CallbackConstructorRegistry.createCallbacks(level) == []


def test_registry_with_one_element(clear_registry):
    # TF.js: 'CallbackConstructorRegistry' > 'Registry with one element'
    tfl.registerCallbackConstructor(1, FakeCallback1)
    assert len(CallbackConstructorRegistry.createCallbacks(0)) == 0
    for level in (1, 2):
        callbacks = CallbackConstructorRegistry.createCallbacks(level)
        assert len(callbacks) == 1
        assert isinstance(callbacks[0], FakeCallback1)


def test_registry_with_two_elements_on_two_levels(clear_registry):
    # TF.js: 'CallbackConstructorRegistry' > 'Registry with two elements on two levels'
    tfl.registerCallbackConstructor(1, FakeCallback1)
    tfl.registerCallbackConstructor(2, FakeCallback2)
    assert len(CallbackConstructorRegistry.createCallbacks(0)) == 0
    callbacks = CallbackConstructorRegistry.createCallbacks(1)
    assert len(callbacks) == 1 and isinstance(callbacks[0], FakeCallback1)
    callbacks = CallbackConstructorRegistry.createCallbacks(2)
    assert len(callbacks) == 2
    assert isinstance(callbacks[0], FakeCallback1)
    assert isinstance(callbacks[1], FakeCallback2)


def test_registry_with_two_elements_on_the_same_level(clear_registry):
    # TF.js: 'CallbackConstructorRegistry' > 'Registry with two elements on the same level'
    tfl.registerCallbackConstructor(2, FakeCallback1)
    tfl.registerCallbackConstructor(2, FakeCallback2)
    assert len(CallbackConstructorRegistry.createCallbacks(0)) == 0
    assert len(CallbackConstructorRegistry.createCallbacks(1)) == 0
    callbacks = CallbackConstructorRegistry.createCallbacks(2)
    assert len(callbacks) == 2
    assert isinstance(callbacks[0], FakeCallback1)
    assert isinstance(callbacks[1], FakeCallback2)


def test_registry_duplicate_registration_on_same_level_leads_to_error(clear_registry):
    # TF.js: 'CallbackConstructorRegistry' > 'Duplicate registration on same level leads to Error'
    tfl.registerCallbackConstructor(1, FakeCallback1)
    with pytest.raises(ValueError, match="Duplicate callback constructor"):
        tfl.registerCallbackConstructor(1, FakeCallback1)


def test_registry_duplicate_registration_on_different_level_leads_to_error(clear_registry):
    # TF.js: 'CallbackConstructorRegistry' >
    #        'Duplicate registration on different level leads to Error'
    tfl.registerCallbackConstructor(1, FakeCallback1)
    with pytest.raises(ValueError, match="Duplicate callback constructor"):
        tfl.registerCallbackConstructor(2, FakeCallback1)


def test_registry_invalid_verbosity_level_leads_to_error(clear_registry):
    # TF.js: 'CallbackConstructorRegistry' > 'Invalid verbosityLevel leads to Error'
    for level in (-1, 0.5, float("nan")):
        with pytest.raises(ValueError, match="is expected to be an integer >= 0"):
            tfl.registerCallbackConstructor(level, FakeCallback1)


def test_registry_is_initialized_properly(clear_registry):
    # TF.js: 'CallbackConstructorRegistry initialization' >
    #        'CallbackConstructorRegistry is initialized properly'
    assert CallbackConstructorRegistry.createCallbacks(1) == []


# ================================================================================================
# describeMathCPUAndGPU('LayersModel.fit and CallbackConstructorRegistry')
# ================================================================================================
def _dense_sgd_model():
    model = tfl.sequential()
    model.add(tfl.layers.dense({"units": 1, "inputShape": [1]}))
    model.compile({"loss": "meanSquaredError", "optimizer": "sgd"})
    return model


def test_fit_with_no_callback_ctor_registered(clear_registry):
    # TF.js: 'LayersModel.fit and CallbackConstructorRegistry' >
    #        'LayersModel.fit call with no callback ctor registered'
    async def main():
        model = _dense_sgd_model()
        await model.fit(tf.zeros([4, 1]), tf.zeros([4, 1]), {"epochs": 3, "verbose": 0})
        assert fake1_epochs == []

    run(main())


def test_fit_with_one_callback_ctor_registered(clear_registry, capsys):
    # TF.js: 'LayersModel.fit and CallbackConstructorRegistry' >
    #        'LayersModel.fit call with one callback ctor registered'
    async def main():
        tfl.registerCallbackConstructor(1, FakeCallback1)
        model = _dense_sgd_model()
        await model.fit(tf.zeros([4, 1]), tf.zeros([4, 1]), {"epochs": 3})
        assert fake1_epochs == [0, 1, 2]

    run(main())


def test_fit_with_two_callback_ctors_registered(clear_registry, capsys):
    # TF.js: 'LayersModel.fit and CallbackConstructorRegistry' >
    #        'LayersModel.fit call with two callback ctor registered'
    async def main():
        tfl.registerCallbackConstructor(1, FakeCallback1)
        tfl.registerCallbackConstructor(2, FakeCallback2)
        model = _dense_sgd_model()
        xs, ys = tf.zeros([4, 1]), tf.zeros([4, 1])
        await model.fit(xs, ys, {"epochs": 3, "verbose": 2})
        assert fake1_epochs == [0, 1, 2]
        assert fake2_epochs == [0, 1, 2]
        fake1_epochs.clear()
        fake2_epochs.clear()
        await model.fit(xs, ys, {"epochs": 3, "verbose": 1})
        assert fake1_epochs == [0, 1, 2]
        assert fake2_epochs == []

    run(main())


# ================================================================================================
# describe('EarlyStopping')  (callbacks_test.ts)
# ================================================================================================
def create_dummy_model():
    model = tfl.sequential()
    model.add(tfl.layers.dense({"units": 1, "inputShape": [1]}))
    model.compile({"loss": "meanSquaredError", "optimizer": "sgd"})
    return model


def _drive(callback, steps):
    """Run TF.js's `await callback.onEpochBegin(e); await callback.onEpochEnd(e, logs)` steps
    and give `model.stopTraining` after each (None: never set, as TF.js's undefined)."""
    model = create_dummy_model()
    callback.setModel(model)

    async def main():
        out = []
        await callback.onTrainBegin()
        for epoch, logs, begin in steps:
            if begin:
                await callback.onEpochBegin(epoch)
            await callback.onEpochEnd(epoch, logs)
            assert model.stopTraining in (None, True)
            out.append(model.stopTraining)
        return out

    return run(main())


def test_early_stopping_default_monitor_increasing_val_loss():
    # TF.js: 'EarlyStopping' > 'Default monitor, default mode, increasing val_loss'
    cb = tfl.callbacks.earlyStopping()
    steps = [(0, {"val_loss": 10}, 1), (1, {"val_loss": 9}, 1), (2, {"val_loss": 9.5}, 1)]
    assert _drive(cb, steps) == [None, None, True]


def test_early_stopping_default_monitor_holding_val_loss():
    # TF.js: 'EarlyStopping' > 'Default monitor, default mode, holding val_loss'
    cb = tfl.callbacks.earlyStopping()
    steps = [(0, {"val_loss": 10}, 1), (1, {"val_loss": 9}, 1), (2, {"val_loss": 9}, 1)]
    assert _drive(cb, steps) == [None, None, True]


def test_early_stopping_default_monitor_custom_min_delta():
    # TF.js: 'EarlyStopping' > 'Default monitor, default mode, custom minDelta'
    cb = tfl.callbacks.earlyStopping({"minDelta": 1})
    steps = [(0, {"val_loss": 10}, 1), (1, {"val_loss": 8}, 1), (2, {"val_loss": 7.5}, 1)]
    assert _drive(cb, steps) == [None, None, True]


def test_early_stopping_custom_baseline_stopping():
    # TF.js: 'EarlyStopping' > 'Default monitor, default mode, custom baseline, stopping'
    cb = tfl.callbacks.earlyStopping({"baseline": 5})
    assert _drive(cb, [(1, {"val_loss": 6}, 1)]) == [True]


def test_early_stopping_custom_baseline_not_stopping():
    # TF.js: 'EarlyStopping' > 'Default monitor, default mode, custom baseline, not stopping'
    cb = tfl.callbacks.earlyStopping({"baseline": 5})
    steps = [(1, {"val_loss": 4}, 1), (1, {"val_loss": 4.5}, 0)]
    assert _drive(cb, steps) == [None, True]


def test_early_stopping_custom_monitor_default_mode_increasing():
    # TF.js: 'EarlyStopping' > 'Custom monitor, default model, increasing'
    cb = tfl.callbacks.earlyStopping({"monitor": "aux_loss"})
    steps = [(0, {"val_loss": 10, "aux_loss": 100}, 1), (1, {"val_loss": 9, "aux_loss": 120}, 1)]
    assert _drive(cb, steps) == [None, True]


def test_early_stopping_custom_monitor_max_increasing():
    # TF.js: 'EarlyStopping' > 'Custom monitor, max, increasing'
    cb = tfl.callbacks.earlyStopping({"monitor": "aux_metric", "mode": "max"})
    steps = [
        (0, {"val_loss": 10, "aux_metric": 100}, 1),
        (1, {"val_loss": 9, "aux_metric": 120}, 1),
        (2, {"val_loss": 9, "aux_metric": 110}, 1),
    ]
    assert _drive(cb, steps) == [None, None, True]


@pytest.mark.parametrize(
    ("title", "min_delta"),
    [
        ("Custom monitor, max, custom minDelta", 5),
        ("Custom monitor, max, custom negative minDelta", -5),
    ],
)
def test_early_stopping_custom_monitor_max_custom_min_delta(title, min_delta):
    # TF.js: 'EarlyStopping' > title
    cb = tfl.callbacks.earlyStopping(
        {"monitor": "aux_metric", "mode": "max", "minDelta": min_delta}
    )
    steps = [
        (0, {"val_loss": 10, "aux_metric": 100}, 1),
        (1, {"val_loss": 9, "aux_metric": 120}, 1),
        (2, {"val_loss": 9, "aux_metric": 122}, 1),
    ]
    assert _drive(cb, steps) == [None, None, True]


def test_early_stopping_patience_2():
    # TF.js: 'EarlyStopping' > 'Patience = 2'
    cb = tfl.callbacks.earlyStopping({"patience": 2})
    steps = [
        (0, {"val_loss": 10}, 1),
        (1, {"val_loss": 9}, 1),
        (2, {"val_loss": 9.5}, 1),
        (3, {"val_loss": 9.6}, 1),
    ]
    assert _drive(cb, steps) == [None, None, None, True]


def test_early_stopping_missing_monitor_leads_to_warning():
    # TF.js: 'EarlyStopping' > 'Missing monitor leads to warning' (console.warn: a warning here)
    cb = tfl.callbacks.earlyStopping()
    with pytest.warns(UserWarning) as record:
        out = _drive(cb, [(0, {"loss": 100}, 1), (1, {"loss": 100}, 1)])
    assert out == [None, None]
    messages = [str(w.message) for w in record]
    assert len(messages) == 2
    assert all("val_loss is not available" in m for m in messages)


# ================================================================================================
# describeMathCPUAndGPU('EarlyStopping LayersModel.fit() integration')
# ================================================================================================
def test_early_stopping_fit_functional_model_monitor_loss_with_min_delta():
    # TF.js: 'EarlyStopping LayersModel.fit() integration' >
    #        'Functional model, monitor loss, With minDelta'
    async def main():
        inp = tfl.input({"shape": [1]})
        output = tfl.layers.dense({"units": 1, "kernelInitializer": "ones"}).apply(inp)
        model = tfl.model({"inputs": inp, "outputs": output})
        xs = tf.tensor2d([1, 2, 3, 4], [4, 1])
        ys = tf.tensor2d([2, 3, 4, 5], [4, 1])
        model.compile({"loss": "meanSquaredError", "optimizer": "sgd"})
        history = await model.fit(
            xs,
            ys,
            {
                "epochs": 10,
                "verbose": 0,
                "callbacks": tfl.callbacks.earlyStopping({"monitor": "loss", "minDelta": 0.25}),
            },
        )
        assert len(history.history["loss"]) == 3

    run(main())


def _softmax_model():
    model = tfl.sequential()
    model.add(
        tfl.layers.dense(
            {"units": 3, "activation": "softmax", "kernelInitializer": "ones", "inputShape": [2]}
        )
    )
    model.compile({"loss": "categoricalCrossentropy", "optimizer": "sgd", "metrics": ["acc"]})
    return model


@pytest.mark.parametrize(
    ("title", "options", "epochs_run"),
    [
        ("Sequential model, monitor val_acc", {"monitor": "val_acc"}, 2),
        (
            "Sequential model, monitor val_acc, custom patience",
            {"monitor": "val_acc", "patience": 4},
            5,
        ),
    ],
)
def test_early_stopping_fit_sequential_model_monitor_val_acc(title, options, epochs_run):
    # TF.js: 'EarlyStopping LayersModel.fit() integration' > title
    async def main():
        model = _softmax_model()
        xs = tf.tensor2d([1, 2, 3, 4], [2, 2])
        ys = tf.tensor2d([[1, 0, 0], [0, 1, 0]], [2, 3])
        xs_val = tf.tensor2d([4, 3, 2, 1], [2, 2])
        ys_val = tf.tensor2d([[0, 0, 1], [0, 1, 0]], [2, 3])
        history = await model.fit(
            xs,
            ys,
            {
                "epochs": 10,
                "verbose": 0,
                "validationData": [xs_val, ys_val],
                "callbacks": tfl.callbacks.earlyStopping(options),
            },
        )
        assert len(history.history["loss"]) == epochs_run

    run(main())
