"""The trainers' app's page (solara), served by `pocsim-app` (pocsim/app.py has the model, the
figures and the command).

Built on solara directly, not on Mesa's SolaraViz. A SolaraViz version with this page's map,
counters and charts as its components and page-level CSS was tried (Mesa 3.3.1) and met most of the
trainers' list, but not all of it (docs/app.md, "Why not Mesa's SolaraViz", has the details):
- its Step and Play run `render_interval` steps, set only by its own "Render Interval (steps)" slider
  (min 1, step 2: odd numbers; 24 is snapped to 25 by the browser), so a frame cannot be a day and
  the clock drifts an hour a day (day 2, 01:00; day 3, 02:00);
- its play loop runs until paused: a tab closed while playing kept a core busy (solara keeps a
  closed tab's session for a day);
- the "Step: N" card and that slider have no class a stylesheet could hide them by (only their
  position), the slider values only show as Vuetify's bubbles forced visible, and the map only gets
  beyond half the page (its draggable grid, 6 of 12 columns) by overriding the grid's own sizes.
The model is still a Mesa model; nothing here imports mesa.visualization.

One browser tab, one model. A frame is `hours` model steps, then one redraw: Step runs one frame,
Play runs frames until paused (in a thread of the tab's own; the model is stepped under a lock the
drawing also takes, so a redraw asked for by a click never sees half a step).
"""

from __future__ import annotations

import threading
import time
import traceback

import solara
import solara.lab

from pocsim.app import (DEFAULTS, HOURS_PER_FRAME, LAYERS, SCENARIOS, STRATEGIES, TrainingModel, charts_png,
                        clock, counters_html, draw_map, figure_png, legend_png, picture_memory_hours)

TITLE = "pocsim: is activity protection?"
PLAY_TIMEOUT_S = 30.0  # playing stops if a frame is not drawn in this time (the tab was closed)
CSS = """
.pocsim-value { font-weight: 600; font-variant-numeric: tabular-nums; white-space: nowrap; padding-left: 8px; }
.pocsim-note { font-size: 12px; color: #555; line-height: 1.3; margin-top: -6px; }
.pocsim-setting { margin-bottom: 10px; }
.pocsim-setting .v-input__slot { margin-bottom: 0; }
.pocsim-setting .v-messages { display: none; }
.pocsim-big-clock { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.pocsim-map img, .pocsim-charts img { max-width: 100%; height: auto; }
"""


@solara.component
def Setting(name: str, label: str, value, on_value, lo, hi, step, text: str, note: str | None = None):
    """A slider with its label and its current value on the line above it (the whole width is
    left for the slider, however long the label)."""
    with solara.Column(gap="0px", classes=["pocsim-setting", f"pocsim-setting-{name}"]):
        with solara.Row(justify="space-between", style={"align-items": "baseline"}):
            solara.Text(label)
            solara.Text(text, classes=["pocsim-value"])
        slider = solara.SliderFloat if isinstance(step, float) else solara.SliderInt
        slider("", value=value, on_value=on_value, min=lo, max=hi, step=step, thumb_label=False)
        if note:
            solara.Text(note, classes=["pocsim-note"])


@solara.component
def Clock(model, frame):
    frame.value  # noqa: B018 (read: redrawn every frame)
    solara.Text(clock(model.value), classes=["pocsim-big-clock"])


def _locked(lock, draw):
    with lock:
        return draw()


@solara.component
def MapPanel(model, frame, layer, lock, drawn):
    m, f, shown = model.value, frame.value, layer.value
    png = solara.use_memo(lambda: _locked(lock, lambda: figure_png(draw_map(m, shown))), [id(m), f, shown])
    solara.use_effect(lambda: drawn.update(frame=f), [f])  # after the page has this frame
    with solara.Column(gap="4px", classes=["pocsim-map"]):
        solara.ToggleButtonsSingle(value=layer, values=LAYERS)
        solara.Image(png, width="100%", classes=["pocsim-map-image"])
        solara.Image(legend_png(shown, picture_memory_hours(m)), width="100%", classes=["pocsim-legend"])


@solara.component
def Dashboard(model, frame, lock):
    m = model.value
    frame.value  # noqa: B018 (read: redrawn every frame)
    with lock:
        html = counters_html(m)
    # the charts have one point a day: redrawn when a day is over, not every frame
    png = solara.use_memo(lambda: _locked(lock, lambda: charts_png(m)), [id(m), len(m.ledger.days)])
    with solara.Column(gap="8px"):
        solara.HTML(tag="div", unsafe_innerHTML=html)
        with solara.Column(classes=["pocsim-charts"]):
            solara.Image(png, width="100%")


def _tab_open() -> bool:
    """Whether a browser tab still shows this session (solara keeps a closed tab's session for a
    day, and a tab that was playing would go on playing for nobody). True if solara cannot say."""
    try:
        from solara.server import kernel_context

        pages = kernel_context.get_current_context().page_status.values()
        return any(status == kernel_context.PageStatus.CONNECTED for status in pages)
    except Exception:  # another solara: its internals differ
        return True


def _steps(model, hours: int) -> int:
    return max(1, int(round(hours / model.step_hours)))


@solara.component
def Page():
    first = solara.use_memo(lambda: TrainingModel(**DEFAULTS), [])  # one model per browser tab
    model = solara.use_reactive(first)
    frame = solara.use_reactive(0)  # counts redraws
    playing = solara.use_reactive(False)
    hours = solara.use_reactive(HOURS_PER_FRAME)
    layer = solara.use_reactive(LAYERS[0])
    choices = solara.use_reactive(dict(DEFAULTS))  # the setting Reset will build
    error = solara.use_reactive(None)
    lock = solara.use_memo(threading.Lock, [])
    drawn = solara.use_memo(lambda: {"frame": 0}, [])  # the last frame the page has drawn

    def advance() -> int:
        m, n = model.value, _steps(model.value, hours.value)
        with lock:
            for _ in range(n):
                m.step()
        frame.value += 1  # a redraw: here, or in the thread that is drawing now (a click's)
        return frame.value

    def play():
        # Each frame waits until the page has drawn the one before. Without that, a redraw that
        # a click started in another thread goes on drawing our frames as fast as we make
        # them, and never ends to send them (the page froze). Playing stops when the tab is
        # closed (or its frames are not drawn for PLAY_TIMEOUT_S).
        try:
            time.sleep(0.05)  # let the click that started us finish
            while playing.value and _tab_open():
                f = advance()
                deadline = time.monotonic() + PLAY_TIMEOUT_S
                while drawn["frame"] < f and playing.value:
                    if time.monotonic() > deadline:
                        playing.value = False
                        return
                    time.sleep(0.005)
        except Exception as exc:  # a model error: say so on the page, keep the server up
            traceback.print_exc()
            try:
                playing.value = False
                error.value = f"the model stopped: {type(exc).__name__}: {exc}"
            except Exception:  # the tab is gone
                pass

    solara.lab.use_task(play, dependencies=[playing.value], prefer_threaded=True)

    def reset():
        playing.value = False
        try:
            new = TrainingModel(**choices.value)
        except Exception as exc:
            error.value = f"cannot build this setting: {type(exc).__name__}: {exc}"
            return
        error.value = None
        model.value = new
        frame.value += 1

    def choose(key, digits=None):
        def set_choice(value):
            choices.value = {**choices.value, key: round(value, digits) if digits is not None else value}
        return set_choice

    c = choices.value
    running = getattr(model.value, "choices", {})
    solara.Style(CSS)
    solara.Title(TITLE)
    with solara.AppBar():
        solara.AppBarTitle(TITLE)
    with solara.Sidebar():
        with solara.Card("Run", margin=0, classes=["pocsim-controls"]):
            Clock(model, frame)
            with solara.Row(justify="space-between", style={"margin": "8px 0"}):
                solara.Button("Reset", color="primary", on_click=reset)
                solara.Button("❚❚ Pause" if playing.value else "▶ Play", color="primary",
                              on_click=lambda: playing.set(not playing.value))
                solara.Button("Step", color="primary", on_click=advance, disabled=playing.value)
            Setting("hours", "Hours per step", hours.value, hours.set, 1, 72, 1, f"{hours.value} h",
                    note="Step runs this many hours; Play redraws after each (fewer: smoother, slower)")
            if error.value:
                solara.Error(error.value)
        with solara.Card("Setting (Reset runs it)", margin=0, style={"margin-top": "12px"},
                         classes=["pocsim-choices"]):
            solara.Select("Scenario", values=SCENARIOS, value=c["scenario"], on_value=choose("scenario"))
            solara.Select("Strategy", values=STRATEGIES, value=c["strategy"], on_value=choose("strategy"))
            mission = c["strategy"] != "none"
            Setting("troops", "Troops", c["troops"], choose("troops"), 0, 4000, 100, f"{c['troops']:,}")
            Setting("alert_coverage", "Alert coverage", c["alert_coverage"], choose("alert_coverage", 2), 0.0, 1.0,
                    0.05, f"{c['alert_coverage']:.2f}",
                    note="share of the villages in reach of the liaison assistants that join the alert network")
            Setting("authorisation_hours", "Authorisation delay", c["authorisation_hours"],
                    choose("authorisation_hours", 1), 0.0, 24.0, 0.5, f"{c['authorisation_hours']:g} h",
                    note="before a reaction force may move")
            Setting("seed", "Seed (the world)", c["seed"], choose("seed"), 0, 99, 1, str(c["seed"]),
                    note="the same seed gives the same world whatever the strategy")
            if not mission:
                solara.Text("Strategy none: no mission, so troops, alert coverage and authorisation do not apply.",
                            classes=["pocsim-note"], style={"margin-top": "6px"})
            if running and c != running:
                solara.Warning("Changed: press Reset to run this setting.", dense=True)
    with solara.Columns([3, 2]):
        MapPanel(model, frame, layer, lock, drawn)
        Dashboard(model, frame, lock)
