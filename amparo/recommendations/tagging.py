"""Tags suggested offline, confirmed by a person; institutions suggested; similar grouped.

Two sources of suggestions, both offline:
1. rules: keyword lexicons in Spanish and English per tag (accent-free prefix matches);
2. similarity: TF-IDF cosine to recommendations whose tags a person already confirmed
   (the k nearest vote for their tags).
A suggestion is only a suggestion: `RecommendationTag.state` stays "suggested" until a person
confirms or rejects it (actions.tag_decide).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .textutil import TfIdf, cosine, fold

# code: (English label, Spanish label, keywords). Keywords are accent-free prefixes.
THEMES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "detention": (
        "Detention of migrants",
        "Detención de migrantes",
        (
            "detention",
            "detain",
            "detenc",
            "detenid",
            "privacion de libertad",
            "alternatives to detention",
            "alternativas a la detenc",
        ),
    ),
    "trafficking": (
        "Trafficking in persons",
        "Trata de personas",
        ("traffick", "trata de personas", "trata ", "smuggl", "trafico ilicito"),
    ),
    "labour": (
        "Labour rights and recruitment",
        "Derechos laborales y contratación",
        (
            "labour",
            "labor",
            "recruit",
            "employ",
            "worker",
            "trabaj",
            "contratac",
            "reclutamiento",
            "empleo",
            "salari",
            "wage",
            "inspecc",
            "inspection",
        ),
    ),
    "consular": ("Consular protection", "Protección consular", ("consul",)),
    "disappeared": (
        "Disappeared and missing migrants",
        "Migrantes desaparecidos",
        ("disappear", "missing", "desaparec", "extraviad", "human remains", "restos", "forens"),
    ),
    "data": (
        "Data and statistics",
        "Datos y estadísticas",
        (
            "data",
            "statistic",
            "dato",
            "estadistic",
            "disaggregat",
            "desglosad",
            "registro unico",
            "register",
            "information system",
            "sistema de informac",
        ),
    ),
    "discrimination": (
        "Discrimination, xenophobia and hate speech",
        "Discriminación, xenofobia y discurso de odio",
        ("discrimin", "xenophob", "xenofob", "racis", "hate", "odio", "stigma", "estigma"),
    ),
    "family": (
        "Family unity and reunification",
        "Unidad y reunificación familiar",
        (
            "family reunif",
            "reunificac",
            "family unity",
            "unidad familiar",
            "separated famil",
            "familias separad",
            "separation of famil",
            "separacion de famil",
        ),
    ),
    "return": (
        "Return and reintegration",
        "Retorno y reintegración",
        ("return", "retorn", "reintegr", "deport", "expuls", "expel", "readmis"),
    ),
    "justice": (
        "Access to justice and remedies",
        "Acceso a la justicia y reparación",
        (
            "justice",
            "justicia",
            "complaint",
            "denuncia",
            "remed",
            "reparac",
            "redress",
            "prosecut",
            "investig",
            "sanction",
            "sancion",
            "impunity",
            "impunidad",
            "juzg",
            "legal aid",
            "asistencia legal",
            "asesoria juridica",
        ),
    ),
    "asylum": (
        "Asylum and international protection",
        "Asilo y protección internacional",
        (
            "asylum",
            "asilo",
            "refugee",
            "refugiad",
            "international protection",
            "proteccion internacional",
            "non-refoulement",
            "no devolucion",
        ),
    ),
    "remittances": (
        "Remittances",
        "Remesas",
        ("remittance", "remesa", "transfer of earnings", "transferencia de ingresos"),
    ),
    "training": (
        "Training of officials",
        "Capacitación de funcionarios",
        ("training", "train ", "capacitac", "formacion", "sensitiz", "sensibiliz"),
    ),
    "health": (
        "Health care",
        "Atención de salud",
        (
            "health",
            "salud",
            "medical",
            "medic",
            "psycholog",
            "psicolog",
            "psychosocial",
            "psicosocial",
        ),
    ),
    "education": ("Education", "Educación", ("educat", "school", "escuel", "educac", "escolar")),
    "registration": (
        "Birth registration and documents",
        "Registro de nacimientos y documentos",
        (
            "birth registr",
            "registro de nacimient",
            "inscripcion de nacimient",
            "identity document",
            "documento de identidad",
            "passport",
            "pasaporte",
            "nationality",
            "nacionalidad",
            "statelessness",
            "apatridia",
        ),
    ),
    "violence": (
        "Violence and exploitation",
        "Violencia y explotación",
        (
            "violence",
            "violenc",
            "abuse",
            "abuso",
            "exploit",
            "explotac",
            "extortion",
            "extorsion",
            "gang",
            "pandill",
            "crimin",
        ),
    ),
    "ratification": (
        "Ratification of instruments",
        "Ratificación de instrumentos",
        (
            "ratif",
            "accede",
            "adhesion",
            "adherir",
            "declaration under article",
            "declaracion prevista",
        ),
    ),
    "cooperation": (
        "International cooperation",
        "Cooperación internacional",
        (
            "cooperat",
            "cooperac",
            "bilateral",
            "regional",
            "countries of origin",
            "paises de origen",
            "agreement",
            "acuerdo",
            "memorand",
        ),
    ),
    "policy": (
        "Migration law, policy and institutions",
        "Legislación, política e instituciones migratorias",
        (
            "migration code",
            "codigo de migrac",
            "legislat",
            "legislac",
            "policy",
            "politica",
            "national plan",
            "plan nacional",
            "institute of migration",
            "instituto guatemalteco de migrac",
            "budget",
            "presupuest",
            "coordinat",
            "coordinac",
        ),
    ),
}
GROUPS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "migrant_workers": (
        "Migrant workers",
        "Trabajadores migratorios",
        (
            "migrant worker",
            "trabajador migra",
            "trabajadores migra",
            "worker",
            "trabajador",
            "labour",
            "laboral",
            "employ",
            "empleo",
        ),
    ),
    "children": (
        "Children and adolescents",
        "Niñas, niños y adolescentes",
        (
            "child",
            "niñ",
            "nin",
            "adolesc",
            "minor",
            "menor",
            "unaccompan",
            "no acompanad",
            "girl",
            "boy",
        ),
    ),
    "women": (
        "Women",
        "Mujeres",
        ("women", "woman", "mujer", "gender", "genero", "girl", "pregnan", "embaraz", "female"),
    ),
    "indigenous": (
        "Indigenous peoples",
        "Pueblos indígenas",
        (
            "indigen",
            "maya",
            "garifuna",
            "xinca",
            "native language",
            "idiomas indigenas",
            "idiomas nacionales",
        ),
    ),
    "trafficking_victims": (
        "Victims of trafficking",
        "Víctimas de trata",
        (
            "victims of trafficking",
            "trafficking victim",
            "victimas de trata",
            "victima de trata",
            "trafficked",
        ),
    ),
    "refugees": (
        "Asylum seekers and refugees",
        "Solicitantes de asilo y refugiados",
        (
            "asylum",
            "asilo",
            "refugee",
            "refugiad",
            "international protection",
            "proteccion internacional",
        ),
    ),
    "returnees": (
        "Returned migrants",
        "Migrantes retornados",
        ("return", "retorn", "deport", "reintegr"),
    ),
    "families": ("Families of migrants", "Familias de migrantes", ("famil",)),
    "lgbti": (
        "LGBTI persons",
        "Personas LGBTI",
        (
            "lesbian",
            "gay",
            "bisexual",
            "transgender",
            "intersex",
            "lgbt",
            "lesbiana",
            "transgenero",
        ),
    ),
    "disabilities": (
        "Persons with disabilities",
        "Personas con discapacidad",
        ("disabilit", "discapacidad"),
    ),
    "domestic_workers": (
        "Domestic workers",
        "Trabajadoras domésticas",
        (
            "domestic work",
            "trabajo domestico",
            "trabajadoras domesticas",
            "trabajadores domesticos",
        ),
    ),
    "in_transit": (
        "Migrants in transit",
        "Migrantes en tránsito",
        ("transit", "transito", "caravan", "caravana"),
    ),
}
ARTICLES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "art7": (
        "Art. 7 — non-discrimination",
        "Art. 7 — no discriminación",
        ("discrimin", "xenophob", "xenofob", "hate", "odio"),
    ),
    "art16": (
        "Art. 16 — liberty and security",
        "Art. 16 — libertad y seguridad",
        ("detention", "detenc", "detain", "arbitrar", "extortion", "extorsion"),
    ),
    "art17": (
        "Art. 17 — persons deprived of liberty",
        "Art. 17 — personas privadas de libertad",
        ("detention", "detenc", "shelter", "albergue", "privacion de libertad"),
    ),
    "art22": (
        "Art. 22 — collective expulsion",
        "Art. 22 — expulsión colectiva",
        ("expuls", "expel", "deport", "collective", "colectiva"),
    ),
    "art23": ("Art. 23 — consular protection", "Art. 23 — protección consular", ("consul",)),
    "art25": (
        "Art. 25 — equal treatment at work",
        "Art. 25 — igualdad de trato en el empleo",
        (
            "wage",
            "salari",
            "working condition",
            "condiciones de trabajo",
            "labour right",
            "derechos laborales",
            "inspect",
            "inspecc",
        ),
    ),
    "art28": (
        "Art. 28 — emergency medical care",
        "Art. 28 — atención médica urgente",
        ("health", "salud", "medical", "medic"),
    ),
    "art29": (
        "Art. 29 — name, birth registration, nationality",
        "Art. 29 — nombre, registro, nacionalidad",
        (
            "birth registr",
            "registro de nacimient",
            "inscripcion de nacimient",
            "nationality",
            "nacionalidad",
            "statelessness",
            "apatridia",
        ),
    ),
    "art30": (
        "Art. 30 — education of children",
        "Art. 30 — educación de los hijos",
        ("educat", "educac", "school", "escuel"),
    ),
    "art33": (
        "Art. 33 — information on rights",
        "Art. 33 — información sobre derechos",
        ("inform", "campaign", "campana", "awareness"),
    ),
    "art44": (
        "Art. 44 — family unity",
        "Art. 44 — unidad de la familia",
        ("family reunif", "reunificac", "family unity", "unidad familiar", "separat", "separac"),
    ),
    "art47": (
        "Art. 47 — transfer of earnings",
        "Art. 47 — transferencia de ingresos",
        ("remittance", "remesa"),
    ),
    "art65": (
        "Art. 65 — migration services",
        "Art. 65 — servicios de migración",
        (
            "migration code",
            "codigo de migrac",
            "institute of migration",
            "instituto guatemalteco de migrac",
            "coordinat",
            "coordinac",
            "policy",
            "politica migratoria",
        ),
    ),
    "art66": (
        "Art. 66 — recruitment",
        "Art. 66 — contratación",
        ("recruit", "reclutamiento", "contratac", "placement agenc", "agencias de coloc"),
    ),
    "art67": (
        "Art. 67 — orderly return and reintegration",
        "Art. 67 — retorno ordenado y reintegración",
        ("return", "retorn", "reintegr"),
    ),
    "art68": (
        "Art. 68 — irregular migration and trafficking",
        "Art. 68 — migración irregular y trata",
        ("traffick", "trata", "smuggl", "trafico ilicito", "irregular"),
    ),
    "art73": (
        "Art. 73 — reporting and data",
        "Art. 73 — informes y datos",
        ("data", "dato", "statistic", "estadistic", "report", "informe"),
    ),
    "art84": (
        "Art. 84 — implementation",
        "Art. 84 — aplicación",
        ("legislat", "legislac", "harmoniz", "armoniz", "ratif"),
    ),
}
SDGS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "5.2": (
        "5.2 Violence against women and girls",
        "5.2 Violencia contra mujeres y niñas",
        (
            "violence against women",
            "violencia contra la mujer",
            "violencia contra las mujeres",
            "sexual violence",
            "violencia sexual",
            "gender-based",
            "por razon de genero",
        ),
    ),
    "8.7": (
        "8.7 Forced labour, trafficking, child labour",
        "8.7 Trabajo forzoso, trata, trabajo infantil",
        (
            "traffick",
            "trata",
            "forced labour",
            "trabajo forzoso",
            "child labour",
            "trabajo infantil",
        ),
    ),
    "8.8": (
        "8.8 Labour rights of migrant workers",
        "8.8 Derechos laborales de los trabajadores migrantes",
        ("labour", "labor", "worker", "trabaj", "recruit", "reclutamiento", "contratac"),
    ),
    "10.7": (
        "10.7 Safe, orderly and regular migration",
        "10.7 Migración segura, ordenada y regular",
        (
            "orderly",
            "ordenada",
            "regular migration",
            "migracion regular",
            "regulari",
            "migration policy",
            "politica migratoria",
            "migration code",
            "codigo de migrac",
            "global compact",
            "pacto mundial",
        ),
    ),
    "10.c": ("10.c Cost of remittances", "10.c Costo de las remesas", ("remittance", "remesa")),
    "16.2": (
        "16.2 Abuse, exploitation, trafficking of children",
        "16.2 Maltrato, explotación y trata de niños",
        (
            "child traffick",
            "trata de nin",
            "exploitation of children",
            "explotacion de nin",
            "violence against children",
            "violencia contra nin",
        ),
    ),
    "16.3": (
        "16.3 Access to justice",
        "16.3 Acceso a la justicia",
        (
            "justice",
            "justicia",
            "complaint",
            "denuncia",
            "remed",
            "reparac",
            "legal aid",
            "asistencia legal",
            "prosecut",
            "impunity",
            "impunidad",
        ),
    ),
    "16.9": (
        "16.9 Legal identity and birth registration",
        "16.9 Identidad jurídica y registro de nacimientos",
        (
            "birth registr",
            "registro de nacimient",
            "inscripcion de nacimient",
            "identity document",
            "documento de identidad",
            "legal identity",
            "identidad juridica",
        ),
    ),
    "17.18": (
        "17.18 Data, disaggregated",
        "17.18 Datos desglosados",
        ("data", "dato", "statistic", "estadistic", "disaggregat", "desglos"),
    ),
}
VOCABULARIES = {"theme": THEMES, "group": GROUPS, "article": ARTICLES, "sdg": SDGS}
VOCABULARY_LABELS = {
    "theme": _("Themes"),
    "group": _("Affected groups"),
    "article": _("Convention articles"),
    "sdg": _("SDG targets"),
}


def is_known(vocabulary: str, code: str) -> bool:
    return code in VOCABULARIES.get(vocabulary, {})


def label(vocabulary: str, code: str, language: str = "es") -> str:
    entry = VOCABULARIES.get(vocabulary, {}).get(code)
    if entry is None:
        return code
    return entry[0] if language == "en" else entry[1]


def _compile(keywords: tuple[str, ...]) -> re.Pattern[str]:
    parts = []
    for k in keywords:
        k = fold(k)
        # A keyword matches at a word start; short ones ("nin") must be followed by a letter
        # of the same word only if they are a stem.
        parts.append(r"\b" + re.escape(k))
    return re.compile("|".join(parts))


_PATTERNS = {
    vocab: {code: _compile(entry[2]) for code, entry in table.items()}
    for vocab, table in VOCABULARIES.items()
}


def rule_scores(text: str) -> dict[tuple[str, str], float]:
    folded = fold(text)
    scores: dict[tuple[str, str], float] = {}
    for vocab, patterns in _PATTERNS.items():
        for code, pattern in patterns.items():
            hits = len(pattern.findall(folded))
            if hits:
                scores[(vocab, code)] = min(1.0, 0.5 + 0.25 * hits)
    return scores


@dataclass
class Example:
    text: str
    labels: set[tuple[str, str]]


class Suggester:
    """Rules, plus the k nearest confirmed examples voting for their labels."""

    def __init__(self, examples: list[Example], k: int = 5, min_sim: float = 0.5) -> None:
        self.examples = examples
        self.k = k
        self.min_sim = min_sim
        self.model = TfIdf([e.text for e in examples]) if examples else None

    def scores(self, text: str) -> dict[tuple[str, str], float]:
        scores = rule_scores(text)
        if self.model is None:
            return scores
        qv = self.model.vector(text)
        near = sorted(((cosine(qv, v), i) for i, v in enumerate(self.model.vectors)), reverse=True)[
            : self.k
        ]
        votes: dict[tuple[str, str], float] = defaultdict(float)
        total = 0.0
        for sim, i in near:
            if sim < self.min_sim:
                continue
            total += sim
            for lab in self.examples[i].labels:
                votes[lab] += sim
        for lab, v in votes.items():
            share = v / total if total else 0.0
            if share >= 0.5:
                scores[lab] = max(scores.get(lab, 0.0), round(share, 3))
        return scores

    def suggest(self, text: str, threshold: float = 0.5) -> set[tuple[str, str]]:
        return {lab for lab, s in self.scores(text).items() if s >= threshold}


MAX_EXAMPLES = 5000


def confirmed_examples() -> list[Example]:
    from .models import RecommendationTag

    labels: dict[object, set[tuple[str, str]]] = defaultdict(set)
    texts: dict[object, str] = {}
    rows = (
        RecommendationTag.objects.filter(state=RecommendationTag.State.CONFIRMED)
        .select_related("recommendation")
        .order_by("-decided_at")[: MAX_EXAMPLES * 4]
    )
    for tag in rows:
        labels[tag.recommendation_id].add((tag.vocabulary, tag.code))
        texts[tag.recommendation_id] = tag.recommendation.text
    return [Example(texts[k], v) for k, v in list(labels.items())[:MAX_EXAMPLES]]


def suggest_for(recommendations: Iterable[object]) -> int:
    """Store suggestions (state "suggested") for recommendations; decided tags are kept."""
    from .models import RecommendationTag

    suggester = Suggester(confirmed_examples())
    made = 0
    with transaction.atomic():
        for rec in recommendations:
            decided = set(
                RecommendationTag.objects.filter(recommendation=rec)  # type: ignore[misc]
                .exclude(state=RecommendationTag.State.SUGGESTED)
                .values_list("vocabulary", "code")
            )
            RecommendationTag.objects.filter(
                recommendation=rec,
                state=RecommendationTag.State.SUGGESTED,  # type: ignore[misc]
            ).delete()
            new = [
                RecommendationTag(
                    recommendation=rec,  # type: ignore[misc]
                    vocabulary=vocab,
                    code=code,
                    score=score,
                    source="rule+similar",
                )
                for (vocab, code), score in suggester.scores(rec.text).items()  # type: ignore[attr-defined]
                if score >= 0.5 and (vocab, code) not in decided
            ]
            RecommendationTag.objects.bulk_create(new)
            made += len(new)
    return made


# ---------------------------------------------------------------------------- institutions


def suggest_institutions(rec: object, limit: int = 5) -> list[tuple[str, float, str]]:
    """(institution code, score, why): institutions named in the text, then those assigned to
    the most similar recommendations before."""
    from amparo.core.models import Institution

    from .models import Assignment, Recommendation

    text = fold(rec.text)  # type: ignore[attr-defined]
    found: dict[str, tuple[float, str]] = {}
    for inst in Institution.objects.exclude(sector="civil_society"):
        names = [inst.name_es, inst.name_en, inst.acronym_es, inst.acronym_en]
        for n in names:
            n = fold(n or "")
            if len(n) < 3:
                continue
            if len(n) <= 10 and re.search(rf"\b{re.escape(n)}\b", fold(rec.text)):  # type: ignore[attr-defined]
                found[inst.code] = (1.0, "named")
            elif len(n) > 10 and n in text:
                found[inst.code] = (1.0, "named")
    past = list(
        Recommendation.objects.filter(assignments__isnull=False)
        .exclude(pk=rec.pk)  # type: ignore[attr-defined]
        .distinct()
        .order_by("-updated_at")[:2000]
    )
    if past:
        model = TfIdf([p.text for p in past])
        qv = model.vector(rec.text)  # type: ignore[attr-defined]
        near = sorted(
            ((cosine(qv, v), p) for v, p in zip(model.vectors, past, strict=True)),
            key=lambda x: -x[0],
        )[:5]
        for sim, p in near:
            if sim < 0.2:
                continue
            for a in Assignment.objects.filter(recommendation=p).select_related("institution"):
                score = round(sim * (1.0 if a.role == "lead" else 0.7), 3)
                if score > found.get(a.institution.code, (0.0, ""))[0]:
                    found[a.institution.code] = (score, "similar")
    ranked = sorted(found.items(), key=lambda kv: -kv[1][0])[:limit]
    return [(code, s, why) for code, (s, why) in ranked]


# ---------------------------------------------------------------------------- grouping


def group_similar(recs: list[object], threshold: float = 0.45) -> list[list[object]]:
    """Groups of similar recommendations (single linkage over TF-IDF cosine ≥ threshold);
    candidate pairs come from an inverted index over the rarer terms, not all pairs."""
    if len(recs) < 2:
        return []
    model = TfIdf([r.text for r in recs])  # type: ignore[attr-defined]
    parent = list(range(len(recs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    postings: dict[str, list[int]] = defaultdict(list)
    for i, vec in enumerate(model.vectors):
        for t, _w in sorted(vec.items(), key=lambda kv: -kv[1])[:8]:
            postings[t].append(i)
    seen: set[tuple[int, int]] = set()
    for ids in postings.values():
        if len(ids) > 200:  # a term in everything links nothing
            continue
        for a_i, a in enumerate(ids):
            for b in ids[a_i + 1 :]:
                if (a, b) in seen:
                    continue
                seen.add((a, b))
                if cosine(model.vectors[a], model.vectors[b]) >= threshold:
                    parent[find(a)] = find(b)
    groups: dict[int, list[object]] = defaultdict(list)
    for i, r in enumerate(recs):
        groups[find(i)].append(r)
    return [g for g in groups.values() if len(g) > 1]
