"""The sensitivity sweeper's report: morris.csv, sobol.csv, their figures and sensitivity.md with a
ranked table per outcome and a plain sentence naming the parameters that decide each outcome."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from pocsim import report_text, sensitivity
from pocsim.atomic import write_atomically


class Report:
    def __init__(self, sweep_dir: Path, settings: dict):
        self.dir = Path(sweep_dir)
        self.s = settings
        self.morris_tables: dict[str, pd.DataFrame] = {}
        self.sobol_tables: dict[str, pd.DataFrame] = {}
        self.points = {}
        self.robust: tuple | None = None

    def morris(self, factors, points: np.ndarray, outcomes: pd.DataFrame) -> None:
        self.points["morris"] = len(points)
        for column in outcomes.columns:
            self.morris_tables[column] = sensitivity.morris_indices(factors, points, outcomes[column],
                                                                    self.s["sample_seed"], self.s["groups"])

    def top(self, factors, k: int) -> list:
        """The parameters of the k most influential parameters (or sections) on any outcome: mu*
        relative to each outcome's largest."""
        score = pd.concat([t["mu_star"] / t["mu_star"].max() if t["mu_star"].max() > 0 else t["mu_star"]
                           for t in self.morris_tables.values()], axis=1).max(axis=1)
        keep = set(score.sort_values(ascending=False).index[:k])
        return [f for f in factors if (f.group if self.s["groups"] else f.key) in keep]

    def sobol(self, factors, outcomes: pd.DataFrame) -> None:
        self.points["sobol"] = len(outcomes)
        for column in outcomes.columns:
            self.sobol_tables[column] = sensitivity.sobol_indices(factors, outcomes[column], self.s["sample_seed"],
                                                                  self.s["groups"])

    def robustness(self, source: str, rank: pd.DataFrame, values: pd.DataFrame, metric: str) -> None:
        from pocsim import robustness

        by = self.s["by"]
        table = robustness.summary(rank, by)
        write_atomically(self.dir / "robustness.csv", rank.to_csv(index=False))
        self.robust = (source, table, robustness.flip_regions(rank, values, by), metric, rank["resolved"].mean())

    def write(self) -> None:
        lines = ["# Which assumptions decide the answer", "",
                 f"Method: {self.s['method']}; seeds 0-{self.s['seeds'] - 1} at every point, every arm on the same "
                 f"seeds; a strategy's effect is its paired difference to {self.s['by']}={self.s['baseline']}, "
                 "averaged over seeds.", ""]
        if self.s["groups"]:
            lines += ["Grouped: the factors are the parameter table's sections (the key up to its last part), each "
                      "section's parameters moved together; an index is a section's, and a section that matters is "
                      "screened parameter by parameter with hydra.sweeper.include=[SECTION].", ""]
        if self.morris_tables:
            self._save("morris", self.morris_tables)
            lines += [f"## Morris screening ({self.points['morris']} points, {self.s['trajectories']} trajectories, "
                      f"{self.s['levels']} levels)", "",
                      "mu*: the mean absolute elementary effect (how much the outcome moves across the range); "
                      "sigma: its spread (interactions or non-linearity). A sentence names the parameters whose "
                      "index's 95 % interval excludes zero and that reach a tenth of the largest. Figure: morris.png.",
                      ""]
            for outcome, table in self.morris_tables.items():
                names = sensitivity.deciding(table, "mu_star", "mu_star_conf")
                lines += [sensitivity.sentence(outcome, names, "Morris mu*"), "",
                          markdown(table.head(10)), ""]
            self._figure_morris()
        if self.sobol_tables:
            self._save("sobol", self.sobol_tables)
            lines += [f"## Sobol indices ({self.points['sobol']} points)", "",
                      "S1: the share of the outcome's variance a parameter explains alone; ST: with all its "
                      "interactions (95 % bootstrap intervals). Figure: sobol.png.", ""]
            for outcome, table in self.sobol_tables.items():
                names = sensitivity.deciding(table, "ST", "ST_conf")
                lines += [sensitivity.sentence(outcome, names, "Sobol total index"), "",
                          markdown(table), ""]
            self._figure_sobol()
        if self.robust:
            source, table, flips, metric, resolved = self.robust
            best = table.index[0]
            lines += [f"## Robustness of the ranking ({source})", "",
                      f"Ranked by {metric} (mean over the seeds of each set). p_best: the share of sets in which "
                      "the strategy is the best; p_best_resolved: best and clearly so (its paired difference to "
                      "the runner-up excludes zero); regret: harm above the set's best strategy. "
                      f"In {resolved:.0%} of the sets the best is resolved. Per set: robustness.csv.", "",
                      markdown(table), "",
                      f"Most often best: `{best}` ({table.loc[best, 'p_best']:.0%} of sets, median regret "
                      f"{table.loc[best, 'regret_median']:.3g}).", "", "Where the ranking flips:", "", "```",
                      flips, "```", ""]
        write_atomically(self.dir / "sensitivity.md", "\n".join(lines) + "\n")

    def _save(self, name: str, tables: dict) -> None:
        long = pd.concat({k: t for k, t in tables.items()}, names=["outcome"]).reset_index()
        write_atomically(self.dir / f"{name}.csv", long.to_csv(index=False))

    def _figure_morris(self) -> None:
        import matplotlib.pyplot as plt

        n = len(self.morris_tables)
        fig, axes = plt.subplots(1, n, figsize=(5 * n, 4.2), squeeze=False)
        for ax, (outcome, t) in zip(axes[0], self.morris_tables.items()):
            if self.s["groups"]:  # a section has no sigma (SALib): its mu* with the interval, largest first
                t = t.head(12)
                y = np.arange(len(t))
                ax.barh(y, t["mu_star"], xerr=t["mu_star_conf"])
                ax.set_yticks(y, [k.split(".", 1)[-1] for k in t.index], fontsize=6)
                ax.invert_yaxis()
            else:
                ax.scatter(t["mu_star"], t["sigma"], s=12)
                for name, row in t.head(5).iterrows():
                    ax.annotate(name.split(".", 1)[-1], (row["mu_star"], row["sigma"]), fontsize=6)
                ax.set_ylabel("sigma")
            ax.set_xlabel("mu* (mean |elementary effect|)")
            ax.set_title(outcome, fontsize=8)
        fig.tight_layout()
        fig.savefig(self.dir / "morris.png", dpi=110)
        plt.close(fig)

    def _figure_sobol(self) -> None:
        import matplotlib.pyplot as plt

        n = len(self.sobol_tables)
        fig, axes = plt.subplots(n, 1, figsize=(8, 2.2 + 0.25 * 15 * n / 2), squeeze=False)
        for ax, (outcome, t) in zip(axes[:, 0], self.sobol_tables.items()):
            y = np.arange(len(t))
            ax.barh(y - 0.2, t["S1"], 0.4, xerr=t["S1_conf"], label="S1")
            ax.barh(y + 0.2, t["ST"], 0.4, xerr=t["ST_conf"], label="ST")
            ax.set_yticks(y, [k.split(".", 1)[-1] for k in t.index], fontsize=6)
            ax.invert_yaxis()
            ax.set_title(outcome, fontsize=8)
            ax.legend(fontsize=6)
        fig.tight_layout()
        fig.savefig(self.dir / "sobol.png", dpi=110)
        plt.close(fig)


def markdown(table: pd.DataFrame) -> str:
    """An index of names and columns of numbers, as the sweep reports' tables are written."""
    shown = table.map(lambda v: f"{v:.3g}")
    shown.insert(0, table.index.name or "", [f"`{i}`" for i in table.index])
    return report_text.markdown(shown)
