"""Robustness of the ranking of strategies under deep uncertainty (Lempert et al. 2003; Kwakkel &
Pruyt 2013): parameter sets drawn from the documented ranges (or from a calibrated posterior),
every strategy run on the same seeds in each set, and for each strategy the probability that it is
the best, its regret (harm above the best strategy in that set), and the parameter regions where
the best strategy changes (scenario discovery with a shallow decision tree, Breiman et al. 1984).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from pocsim.sensitivity import Factor


def sets(factors: list[Factor], n: int, seed: int) -> np.ndarray:
    """n parameter sets by Latin hypercube over the factors' ranges (scipy.stats.qmc)."""
    unit = stats.qmc.LatinHypercube(d=len(factors), seed=seed).random(n)
    return stats.qmc.scale(unit, [f.low for f in factors], [f.high for f in factors])


def ranking(results: pd.DataFrame, metric: str = "civilian_deaths", by: str = "strategy") -> pd.DataFrame:
    """Per parameter set ('point') and arm: the metric's mean over seeds, the regret (above the
    set's best arm), whether the arm is the best, and whether the set's best is resolved (its
    paired difference to the runner-up over the seeds has a 95 % t-interval excluding zero)."""
    ok = results[results["status"] == "ok"] if "status" in results else results
    wide = ok.pivot_table(index=["point", "seed"], columns=by, values=metric)
    means = wide.groupby("point").mean()
    best = means.idxmin(axis=1)
    rows = []
    for point, row in means.iterrows():
        order = row.sort_values()
        resolved = False
        if len(order) > 1:
            diff = (wide.loc[point, order.index[1]] - wide.loc[point, order.index[0]]).dropna()
            if len(diff) > 1 and diff.std(ddof=1) > 0:
                half = stats.t.ppf(0.975, len(diff) - 1) * diff.std(ddof=1) / np.sqrt(len(diff))
                resolved = bool(diff.mean() - half > 0)
            elif len(diff) > 1:
                resolved = bool(diff.mean() > 0)
        for arm, value in row.items():
            rows.append({"point": point, by: arm, metric: value, "regret": value - order.iloc[0],
                         "best": arm == best[point], "resolved": resolved})
    return pd.DataFrame(rows)


def summary(rank: pd.DataFrame, by: str = "strategy") -> pd.DataFrame:
    """Per arm: probability of being the best, and the regret's median, 90th percentile and maximum."""
    g = rank.groupby(by)
    table = pd.DataFrame({
        "p_best": g["best"].mean(),
        "p_best_resolved": g.apply(lambda d: (d["best"] & d["resolved"]).mean(), include_groups=False),
        "regret_median": g["regret"].median(),
        "regret_p90": g["regret"].quantile(0.9),
        "regret_max": g["regret"].max(),
    })
    return table.sort_values(["p_best", "regret_median"], ascending=[False, True])


def flip_regions(rank: pd.DataFrame, values: pd.DataFrame, by: str = "strategy", depth: int = 2) -> str:
    """The rules of a shallow decision tree that predicts each set's best arm from its parameter
    values (scikit-learn): where in the parameter space the ranking flips. `values` is indexed by
    point, one column per parameter."""
    from sklearn.model_selection import KFold, cross_val_score
    from sklearn.tree import DecisionTreeClassifier, export_text

    best = rank[rank["best"]].set_index("point")[by]
    x = values.loc[best.index]
    if best.nunique() < 2:
        return f"the same best strategy in every set ({best.iloc[0]}): no flip to explain"
    tree = DecisionTreeClassifier(max_depth=depth, min_samples_leaf=max(2, len(x) // 20), random_state=0)
    # with few sets and many parameters some split always fits: judge the tree out of sample, against
    # always naming the most frequent best strategy
    folds = KFold(n_splits=min(5, len(x)), shuffle=True, random_state=0)
    held_out = cross_val_score(tree, x.to_numpy(), best.to_numpy(), cv=folds).mean()
    guess = best.value_counts(normalize=True).iloc[0]
    tree.fit(x.to_numpy(), best.to_numpy())
    rules = export_text(tree, feature_names=list(x.columns), show_weights=True)
    margin = 2 * (guess * (1 - guess) / len(x)) ** 0.5  # two standard errors of a share over these sets
    trust = ("it predicts clearly better than that guess" if held_out > guess + margin
             else "not clearly better than that guess (by two standard errors): these splits may be chance, "
                  "more sets are needed")
    return (f"a tree of depth {depth} over {len(x)} sets and {x.shape[1]} parameters; held-out accuracy "
            f"{held_out:.0%} (5-fold) against {guess:.0%} for always naming the most frequent best: {trust}.\n"
            f"{rules}")
