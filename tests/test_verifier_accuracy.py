"""The support judge against a labelled set of (sentence, cited text, supported?) pairs from the seeds:
agreement must be at least 0.9. Unsupported sentences change a number, a name, a place, or claim
something the passage doesn't say."""

import pytest

from qa.support import SupportJudge

pytestmark = pytest.mark.slow

A = (
    "ISIS claimed responsibility for 153 attacks in both countries during the first half of 2024, "
    "according to CENTCOM. This compares to 121 attacks reported throughout 2023."
)
B = (
    "The Global Coalition against Daesh (ISIS), led by the United States, was formed in September 2014. "
    "Currently, there are about 2,500 US troops still deployed in Iraq as part of the coalition."
)
C = (
    "Gen. Michael Kurilla, who heads US Central Command, told Congress the same month that US intelligence "
    "estimates there to be around 1,000 ISIS fighters at large in Iraq."
)
D = (
    "The group claimed the 19 July terrorist attack at the Wahailat market in the Sadr City district of "
    "Baghdad that killed at least 30 people and injured 50 others, an important reminder of ISIS' "
    "resilience in the country."
)
E = (
    "As a result of the attack, that also killed the deputy chief of the PMF, Abu Mahdi al-Muhandis, the "
    "Council of Representatives (Iraqi parliament) approved two days later a non-binding resolution "
    "calling for the end of the US military presence in Iraq."
)
F = (
    "Shortly after evacuation, Americans announced that the main aim of their relocation was to amass "
    "their so-called anti-ISIS forces at the two large bases of Ein Al-Asad in Al-Anbar province and "
    "Harir in the Kurdish region's capital Erbil."
)
G = (
    "A report by the United Nations Sanctions Monitoring Team stated that ISIS is capable of carrying out "
    "attacks in Baghdad itself, as well as in the governorates of Diyala, Salah al-Din, and Kirkuk."
)
H = 'He added, "There is also an economic border breach involving dollar smuggling."'

LABELLED = [
    # supported: verbatim, trimmed or lightly reworded
    ("ISIS claimed responsibility for 153 attacks in the first half of 2024.", A, True),
    ("CENTCOM said ISIS claimed 153 attacks in both countries in the first half of 2024.", A, True),
    ("121 attacks were reported throughout 2023.", A, True),
    ("The Global Coalition against Daesh was formed in September 2014.", B, True),
    ("The coalition against Daesh is led by the United States.", B, True),
    ("About 2,500 US troops are still deployed in Iraq as part of the coalition.", B, True),
    ("There are currently about 2500 US troops deployed in Iraq.", B, True),
    ("Gen. Michael Kurilla heads US Central Command.", C, True),
    ("US intelligence estimates around 1,000 ISIS fighters are at large in Iraq.", C, True),
    ("Kurilla told Congress that about 1,000 ISIS fighters are at large in Iraq.", C, True),
    ("ISIS claimed the 19 July attack at the Wahailat market in Sadr City.", D, True),
    ("The Wahailat market attack in Baghdad killed at least 30 people.", D, True),
    ("The attack at the Wahailat market injured 50 others.", D, True),
    (
        "The Iraqi parliament approved a non-binding resolution calling for the end of the US military "
        "presence.",
        E,
        True,
    ),
    ("The attack also killed Abu Mahdi al-Muhandis, the deputy chief of the PMF.", E, True),
    ("Two days later the Council of Representatives approved a non-binding resolution.", E, True),
    ("The Americans amassed anti-ISIS forces at the bases of Ein Al-Asad and Harir.", F, True),
    ("Ein Al-Asad base is in Al-Anbar province.", F, True),
    ("Harir base is in Erbil, the Kurdish region's capital.", F, True),
    ("The UN Sanctions Monitoring Team said ISIS can carry out attacks in Baghdad.", G, True),
    ("ISIS is capable of attacks in Diyala, Salah al-Din and Kirkuk, according to a UN report.", G, True),
    ("There is also an economic border breach involving dollar smuggling.", H, True),
    # unsupported: a changed number
    ("ISIS claimed responsibility for 351 attacks in the first half of 2024.", A, False),
    ("ISIS claimed 153 attacks in the first half of 2023.", A, False),
    ("The Global Coalition against Daesh was formed in September 2015.", B, False),
    ("About 5,200 US troops are still deployed in Iraq.", B, False),
    ("US intelligence estimates around 10,000 ISIS fighters are at large in Iraq.", C, False),
    ("The Wahailat market attack killed at least 300 people.", D, False),
    ("The resolution was approved 12 days later.", E, False),
    # unsupported: a changed name or place
    ("The Global Coalition against Daesh is led by France.", B, False),
    ("Gen. Lloyd Austin heads US Central Command.", C, False),
    ("ISIS claimed the attack at the Wahailat market in Mosul.", D, False),
    ("The attack killed Qasem Soleimani's bodyguard Hadi Taremi.", E, False),
    ("The Americans amassed forces at the bases of Balad and Taji.", F, False),
    ("The Sanctions Monitoring Team said ISIS can attack Basra and Najaf.", G, False),
    # unsupported: claims the passage doesn't make
    ("ISIS has been completely defeated in Syria.", A, False),
    ("The coalition plans to withdraw all troops by 2025.", B, False),
    ("Kurilla resigned from Central Command after testifying.", C, False),
    ("The government of Iraq banned all public markets after the attack.", D, False),
    ("The United States vetoed the resolution in the Security Council.", E, False),
    ("Iran financed the construction of the Harir base.", F, False),
    ("The UN report says ISIS has a navy.", G, False),
    ("Dollar smuggling has been eliminated by the central bank.", H, False),
    ("The population of Iraq is 7.5 million.", B, False),
]


def test_the_support_judge_agrees_with_the_labels(seed_assistant) -> None:
    judge = SupportJudge(seed_assistant.embedder)
    assert len(LABELLED) >= 40
    wrong = [
        (sentence, expected)
        for sentence, passage, expected in LABELLED
        if judge.judge(sentence, [passage]).supported != expected
    ]
    agreement = 1 - len(wrong) / len(LABELLED)
    print(f"support judge agreement {agreement:.3f} on {len(LABELLED)} pairs; disagreements: {wrong}")
    assert agreement >= 0.9, wrong
