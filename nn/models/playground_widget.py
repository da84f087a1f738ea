"""The interactive controls of :class:`~nn.models.playground.Playground` (ipywidgets, imported only here).

The picture is a PNG ``Image`` widget replaced after every frame; the ``Play`` widget ticks in the browser, and
each tick trains ``epochs_per_frame`` epochs in the kernel, so pausing is immediate and nothing blocks the
notebook. Changing a control rebuilds the network (and the data, for data settings), as the TensorFlow
playground does.

This module imports nothing from the playground: :meth:`Playground.widget` passes in the names its controls
offer (data sets, features, activations), so the dependency goes one way only.
"""
__all__ = ["build_widget"]


def _parse_hidden(text):
    parts = [p.strip() for p in str(text).replace(";", ",").split(",") if p.strip()]
    widths = tuple(int(p) for p in parts)
    if any(w <= 0 for w in widths):
        raise ValueError("widths must be positive")
    return widths


def build_widget(pg, datasets, features, activations, epochs_per_frame=2):
    """A ``VBox`` with the controls and the live picture of playground ``pg``.

    ``pg`` needs ``config``, ``configure(**settings)``, ``reset()``, ``train(epochs)``, ``png()``, ``epoch`` and
    ``history``; ``datasets``, ``features``, ``activations``: the names the controls offer.
    """
    try:
        import ipywidgets as W
    except ImportError:
        raise ImportError("the interactive playground needs ipywidgets: pip install ipywidgets (or pip install "
                          "'autograd-core[notebooks]'); Playground.run() and .figure() work without it") from None
    c = pg.config
    style = {"description_width": "90px"}
    controls = {
        "dataset": W.Dropdown(options=list(datasets), value=c["dataset"], description="dataset", style=style),
        "noise": W.FloatSlider(value=c["noise"], min=0.0, max=0.5, step=0.05, description="noise", style=style),
        "features": W.SelectMultiple(options=list(features), value=tuple(c["features"]), rows=4,
                                     description="features", style=style),
        "hidden": W.Text(value=", ".join(str(h) for h in c["hidden"]), description="hidden layers",
                         continuous_update=False, style=style),
        "activation": W.Dropdown(options=list(activations), value=c["activation"], description="activation",
                                 style=style),
        "optimizer": W.Dropdown(options=["adam", "sgd"], value=c["optimizer"], description="optimizer",
                                style=style),
        "lr": W.FloatLogSlider(value=c["lr"], base=10, min=-4, max=0, step=0.25, description="learning rate",
                               style=style),
        "batch_size": W.IntSlider(value=c["batch_size"], min=1, max=64, description="batch size", style=style),
        "regularization": W.Dropdown(options=["none", "l1", "l2"], value=c["regularization"] or "none",
                                     description="regularization", style=style),
        "reg_rate": W.FloatLogSlider(value=c["reg_rate"] or 1e-4, base=10, min=-5, max=-1, step=0.5,
                                     description="reg. rate", style=style),
    }
    play = W.Play(value=0, min=0, max=10 ** 6, step=1, interval=250, description="train")
    step = W.Button(description="step", tooltip=f"train {epochs_per_frame} epochs")
    reset = W.Button(description="reset", tooltip="new initial weights")
    picture = W.Image(format="png", value=pg.png())
    status = W.HTML()

    def redraw():
        picture.value = pg.png()
        h = pg.history
        status.value = (f"<b>epoch {pg.epoch}</b> &nbsp; train loss {h['train_loss'][-1]:.3f} &nbsp; "
                        f"test loss {h['test_loss'][-1]:.3f} &nbsp; test accuracy {h['test_accuracy'][-1]:.2f}")

    def on_change(_):
        try:
            values = {k: w.value for k, w in controls.items()}
            values["hidden"] = _parse_hidden(values["hidden"])
            values["features"] = tuple(values["features"]) or ("x1", "x2")
            pg.configure(**values)
        except ValueError as exc:
            status.value = f"<span style='color:#c00'>{exc}</span>"
            return
        redraw()

    def on_tick(_):
        pg.train(epochs_per_frame)
        redraw()

    for w in controls.values():
        w.observe(on_change, names="value")
    play.observe(on_tick, names="value")
    step.on_click(lambda _: on_tick(None))
    reset.on_click(lambda _: (pg.reset(), redraw()))
    redraw()
    left = W.VBox(list(controls.values()))
    right = W.VBox([W.HBox([play, step, reset]), status, picture])
    return W.HBox([left, right])
