"""Name and place tables for synthetic people. Written for Amparo; frequencies are rough.

Weights say how often a name is drawn relative to the others in its list.
"""

from __future__ import annotations

FEMALE_GIVEN = {
    "María": 30, "Ana": 8, "Rosa": 6, "Juana": 6, "Marta": 4, "Sandra": 4, "Gloria": 3,
    "Carmen": 4, "Lucía": 3, "Elena": 3, "Catarina": 4, "Magdalena": 3, "Guadalupe": 3,
    "Isabel": 3, "Sofía": 3, "Valeria": 2, "Dulce": 2, "Heidy": 2, "Yesenia": 2, "Karla": 2,
    "Ixchel": 1, "Nikte'": 1, "Ixmucané": 1, "Tz'unun": 1, "Ixkik'": 1, "Sak'ik": 1,
    "Josefa": 2, "Dominga": 2, "Candelaria": 2, "Floridalma": 1, "Aracely": 2, "Wendy": 2,
}
MALE_GIVEN = {
    "José": 30, "Juan": 20, "Carlos": 8, "Luis": 6, "Pedro": 6, "Francisco": 6, "Manuel": 5,
    "Miguel": 5, "Antonio": 4, "Diego": 4, "Mario": 4, "Jorge": 4, "Santiago": 3, "Marvin": 3,
    "Edwin": 3, "Byron": 2, "Selvin": 2, "Erick": 3, "Kevin": 3, "Jesús": 3, "Tomás": 3,
    "Domingo": 2, "Sebastián": 3, "Gaspar": 2, "Baltazar": 1, "B'alam": 1, "Kemel": 1,
    "Ajpop": 1, "Tepeu": 1, "Kame": 1, "Rigoberto": 2, "Otoniel": 1, "Wilmer": 2,
}
SPANISH_SURNAMES = {
    "García": 30, "López": 30, "Pérez": 28, "Hernández": 22, "González": 20, "Morales": 18,
    "Rodríguez": 15, "Martínez": 14, "Ramírez": 14, "Sánchez": 12, "Gómez": 12, "Díaz": 8,
    "Méndez": 10, "Juárez": 9, "Vásquez": 10, "Castillo": 8, "Gutiérrez": 7, "Cruz": 9,
    "Ortiz": 6, "Reyes": 7, "Aguilar": 7, "Álvarez": 6, "Mejía": 6, "Orellana": 3,
    "Recinos": 2, "Barrios": 4, "De León": 6, "De la Cruz": 4, "Escobar": 4, "Fuentes": 4,
    "Chávez": 5, "Velásquez": 5, "Monterroso": 2, "Estrada": 4, "Figueroa": 3, "Cifuentes": 2,
}
MAYAN_SURNAMES = {
    "Tzoc": 4, "Cux": 3, "Xoy": 2, "Ajanel": 2, "Tuyuc": 2, "Chumil": 2, "Sicán": 2,
    "Cumes": 2, "Coc": 5, "Caal": 6, "Choc": 5, "Tut": 3, "Pop": 4, "Xol": 3, "Ical": 3,
    "Bol": 3, "Chub": 3, "Maquín": 2, "Sis": 2, "Cac": 2, "Quej": 2, "Tiul": 2, "Yat": 2,
    "Tzul": 2, "Ixcoy": 2, "Xiloj": 1, "Baten": 2, "Tzunún": 1, "Bámaca": 2, "Pu": 1,
    "Ajú": 1, "Chanchavac": 1, "Sacalxot": 1, "Tecún": 2, "Quisquinay": 1, "Ixmatá": 1,
    "K'ox": 1, "Q'uich": 1, "Tz'ib": 1, "Ajqui": 1, "Lacán": 1, "Ventura": 2,
}
HONDURAN_SURNAMES = {"Zelaya": 4, "Maradiaga": 2, "Matute": 1, "Banegas": 2, "Euceda": 1, "Padilla": 3}
SALVADORAN_SURNAMES = {"Cañas": 2, "Portillo": 3, "Guardado": 2, "Quintanilla": 2, "Alvarenga": 2}
MEXICAN_SURNAMES = {"Hernández": 5, "Zúñiga": 2, "Villalobos": 2, "Cervantes": 2, "Ocampo": 2}

# Where people come from: departments weighted by their share of emigration (rough).
DEPARTMENT_WEIGHTS = {
    "13": 16, "12": 14, "01": 12, "09": 8, "14": 9, "16": 8, "08": 5, "07": 4, "04": 3,
    "17": 4, "05": 3, "06": 2, "22": 3, "20": 2, "21": 1, "18": 2, "19": 1, "11": 1,
    "10": 2, "15": 1, "03": 1, "02": 1,
}
# Languages most spoken in each department besides Spanish (ISO 639-3).
DEPARTMENT_LANGUAGES = {
    "13": ["mam", "kjb", "jac", "cac", "knj", "agu", "ttc"], "12": ["mam", "qum"],
    "09": ["mam", "quc"], "14": ["quc", "ixl", "usp", "quv"], "16": ["kek", "poh"],
    "08": ["quc"], "07": ["cak", "tzj", "quc"], "04": ["cak"], "17": ["kek", "itz", "mop"],
    "15": ["acr", "poh"], "18": ["kek", "cab"], "20": ["caa"], "03": ["cak"], "06": ["xin"],
    "21": ["poc"], "01": ["poc", "cak"], "10": ["quc", "tzj"],
}
# Share of people of each nationality in the demo (Guatemala first: it is its network).
NATIONALITIES = {"GT": 85, "HN": 8, "SV": 4, "MX": 2, "NI": 1}
