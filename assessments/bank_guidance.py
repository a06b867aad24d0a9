"""What tends to help when a condition is weak or divided (DESIGN §7b), keyed by condition key.

Written in the product's own words from the themes of the Better Way notes
(../shared/seed/better-way-notes.txt). Version 1.1 of the default bank carries it on its
Condition rows; later versions copy it forward by key (`QuestionBank.copy_as_draft`).
Each entry is a few short suggestions, one a line, for a partnership meeting to pick from.
"""

from __future__ import annotations

GUIDANCE: dict[str, str] = {
    "relationships": "\n".join(
        [
            "Make time to get to know each other before there is a crisis: a regular informal "
            "catch-up, a coffee with someone you rarely talk to, a visit to each other's work.",
            "Treat keeping in touch across organisations as part of everyone's job, at every "
            "level, not a task for chief executives alone.",
            "Recognise the people who connect others, and find money and time for that role "
            "rather than expecting it for free.",
            "When something goes wrong, talk about it openly and early, so that trust grows "
            "from how problems are handled.",
        ]
    ),
    "vision": "\n".join(
        [
            "Work out the purpose together instead of asking partners to sign up to a plan "
            "that is already written.",
            "Start from the people and communities you serve: ask them what a good outcome "
            "would look like for them, and show them what changed as a result.",
            "Put the purpose in a sentence or two of everyday words, so that anyone in any "
            "partner could explain it to a neighbour.",
            "Set aside time, away from day-to-day pressures, to imagine the future you want "
            "before deciding how to get there.",
        ]
    ),
    "principles": "\n".join(
        [
            "Agree a short set of ways of treating each other (respect rather than judgement, "
            "curiosity, valuing what each partner brings) and come back to them at meetings.",
            "Say out loud that partners will not bid against each other for work that "
            "another is better placed to do.",
            "Make it safe to disagree: name differences and work through them, rather than "
            "keeping the peace until they break out later.",
            "Tell stories of the principles in action, so that they stay real to newcomers.",
        ]
    ),
    "behaviours": "\n".join(
        [
            "Run meetings so that every voice is heard: let people write ideas alone first, "
            "then share in pairs and with the room, then rank and group them (OPERA), and use "
            "open questions.",
            "Ask people to speak for the whole place and the people it serves, not to defend "
            "their own organisation's position.",
            "Bring front-line staff and volunteers into designing changes, not only into "
            "carrying them out.",
            "Build in regular moments to look back at what worked and change course.",
        ]
    ),
    "infrastructure": "\n".join(
        [
            "Train and learn together across sectors, and keep a shared space where partners "
            "swap what they are learning.",
            "Agree a common, plain vocabulary and share the information and data that would "
            "help others do their part.",
            "Fit governance to what the partnership does: light where little is at stake, "
            "clearer (for example co-chairs) where money is managed jointly.",
            "Look at how funding, commissioning and procurement push partners to compete, and "
            "change what you can.",
            "Plan for people moving on: write down how things work and spread the roles, so "
            "that the partnership does not rest on a few individuals.",
        ]
    ),
    "leadership": "\n".join(
        [
            "Share the chair and the agenda: co-chairs, a rotating agenda, or each partner "
            "leading on a topic in turn.",
            "Decide jointly on direction and on money, and record who took part in each decision.",
            "Give small and local organisations real influence, for instance by letting "
            "funding flow through them with larger partners in a supporting role.",
            "Encourage leadership at every level: give people close to the community the "
            "permission and means to lead change, and let senior leaders act as enablers.",
        ]
    ),
}
