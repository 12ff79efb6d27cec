"""Community liaison assistants: national staff in field offices at the largest towns who keep
daily phone contact with villages within reach that have coverage. Their calls feed the picture
(the threat people feel, the displaced they host), they hear of attacks, and the villages they
keep in touch with are the ones an alert network can enrol."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pocsim.mission.tools.base import Deploy, Tool
from pocsim.params import param


class CommunityLiaison(Tool):
    name = "liaison"
    order = Deploy.contacts

    @dataclass
    class Params:
        staff_share: float = param(0.3, unit="1 (of mission.civilian_staff)", low=0.0, high=1.0,
                                   source="strategy: share of the civilian staff as liaison assistants")
        assistants_per_office: int = param(2, unit="staff", low=1, high=4,
                                           source="MONUSCO practice: CLAs deployed in pairs to bases")
        reach_hours: float = param(6.0, unit="h", low=2.0, high=24.0,
                                   source="assumption: contacts within a morning's drive of the office")
        villages_per_assistant: int = param(15, unit="villages", low=5, high=40,
                                            source="assumption: an assistant keeps up with about 15 villages")

    def wants(self) -> list:
        return [("civilian_staff", self.p.staff_share, 1)]

    def deploy(self) -> None:
        m, v = self.mission, self.view.villages
        assistants = self.granted("civilian_staff")
        if assistants <= 0:
            return
        offices = m.towns[: max(1, assistants // self.p.assistants_per_office)]
        t = m.navigation.hours_from(v.cell[offices], "vehicle", self.p.reach_hours)[v.cell]
        in_reach = np.flatnonzero(np.isfinite(t) & v.phone_coverage)
        in_reach = in_reach[np.argsort(t[in_reach], kind="stable")][: self.p.villages_per_assistant * assistants]
        m.contacts[in_reach] = True

    def attack_started(self, village: int, group: int) -> None:
        if self.mission.contacts[village]:
            # word reaches the liaison assistants, later and without a call for help
            self.mission.picture.report_attack(village, group, "liaison")

    def step(self) -> None:
        m = self.mission
        if m.start_of_day and m.contacts.any():
            villages = np.flatnonzero(m.contacts)
            threat, displaced = self.view.residents_say(villages)
            m.picture.report_threat(villages, threat, "liaison")
            m.picture.report_displaced(villages, displaced, "liaison")
