"""Names across scripts: what a researcher searching for a person relies on."""

from __future__ import annotations

import pytest

from svidok.domain.names import (
    FAMILY_FIRST,
    GIVEN_FIRST,
    NameParts,
    diminutive_base,
    given_key,
    given_name_keys,
    is_patronymic,
    name_forms,
    name_key,
    name_order,
    patronymic_key,
    search_keys,
    split_full_name,
)


@pytest.mark.parametrize(
    "spellings",
    [
        ["Oleksandr", "Олександр", "Александр", "Aleksandr", "Alexander", "Oleksander", "Olexandr"],
        ["Григорій", "Григорий", "Hryhorii", "Grigoriy", "Hryhoriy", "Grigorij", "Gregory"],
        ["Шевченко", "Shevchenko", "Schewtschenko", "Ševčenko", "SHEVCHENKO"],
        ["Микола", "Николай", "Mykola", "Nikolay", "Nikolai"],
        ["Юрій", "Юрий", "Yurii", "Yuriy", "Jurij", "Iurii"],
        ["Олександрович", "Александрович", "Oleksandrovych", "Aleksandrovich"],
        ["Іванівна", "Ивановна", "Ivanivna", "Ivanovna"],
        ["Лісовий", "Лисовой", "Lisovyi", "Lisovoy", "Lisovyy"],
        ["Щербань", "Shcherban", "Scherban", "Ščerbanʹ"],
        ["Дар'я", "Дарья", "Daria", "Darya", "Dariia"],
        ["Reşat", "Решат", "Reshat"],
        ["Qırımlı", "Къырымлы"],
        ["Сергієнко", "Сергиенко", "Serhiienko", "Sergiyenko"],
    ],
)
def test_spellings_of_one_name_share_a_key(spellings):
    keys = {name_key(s) for s in spellings}
    assert len(keys) == 1, dict(zip(spellings, map(name_key, spellings)))
    (key,) = keys
    assert key.isascii() and key.islower() and key.isalpha()


@pytest.mark.parametrize(
    ("a", "b"),
    [("Олександр", "Олексій"), ("Іван", "Іванна"), ("Шевченко", "Шевчук"), ("Марія", "Марина")],
)
def test_different_names_keep_different_keys(a, b):
    assert name_key(a) != name_key(b)


def test_search_keys_one_key_per_token_in_order():
    assert search_keys("Шевченко Олександр Григорович") == search_keys(
        "Shevchenko Aleksandr Grigorievich"
    )
    assert len(search_keys("Коваль-Петренко Дар'я")) == 3
    assert search_keys("") == [] and search_keys("1972, ?") == []
    # stress marks in transcribed testimony do not change the key
    assert search_keys("Олекса́ндр") == search_keys("Олександр")


def test_kmu_2010_official_latin_and_russian_forms():
    forms = name_forms("Шевченко Олександр Григорович")
    assert forms["as_recorded"] == "Шевченко Олександр Григорович"
    assert forms["uk_latin"] == "Shevchenko Oleksandr Hryhorovych"
    assert forms["ru_cyrillic"] == "Шевченко Александр Григорьевич"
    assert forms["ru_latin"].startswith("Shevchenko Aleksandr Grigor")
    assert forms["en"] == "Shevchenko Alexander Hryhorovych"
    # KMU 2010 word-initial rules: Є -> Ye, Ю -> Yu, Й -> Y; inside a word ie/iu/i
    assert name_forms("Євген Юрій")["uk_latin"] == "Yevhen Yurii"
    assert "crh_latin" not in forms


def test_russian_spelling_gets_no_ukrainian_romanisation():
    forms = name_forms("Иванов Николай Петрович")
    assert forms["ru_latin"] == "Ivanov Nikolay Petrovich"
    assert "uk_latin" not in forms


def test_crimean_tatar_forms_both_ways():
    latin = name_forms("Reşat Qırımlı")
    assert latin["crh_cyrillic"] == "Решат Къырымлы"
    cyr = name_forms("Решат Къырымлы")
    assert cyr["crh_latin"] == "Reşat Qırımlı"
    forced = name_forms("Мустафа Джемилев", crimean_tatar=True)
    assert forced["crh_latin"] == "Mustafa Cemilev"


def test_latin_only_name_gets_english_form():
    forms = name_forms("Oleksandr Shevchenko")
    assert forms == {"as_recorded": "Oleksandr Shevchenko", "en": "Alexander Shevchenko"}


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Шевченко Олександр Григорович", NameParts("Шевченко", "Олександр", "Григорович")),
        ("Олександр Григорович Шевченко", NameParts("Шевченко", "Олександр", "Григорович")),
        ("Ковальчук, Олена Іванівна", NameParts("Ковальчук", "Олена", "Іванівна")),
        ("Oleksandr Shevchenko", NameParts("Shevchenko", "Oleksandr", None)),
        ("Shevchenko Oleksandr", NameParts("Shevchenko", "Oleksandr", None)),
        ("Дар'я Коваль-Петренко", NameParts("Коваль-Петренко", "Дар'я", None)),
        ("Олена Іванівна", NameParts(None, "Олена", "Іванівна")),
        ("Шевченко", NameParts("Шевченко", None, None)),
        ("", NameParts(None, None, None)),
    ],
)
def test_split_full_name(text, parts):
    assert split_full_name(text) == parts


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("Олександрович", True), ("Oleksandrivna", True), ("Сергеевич", True),
        ("Іллівна", True), ("oğlu", True), ("Шевченко", False), ("Olena", False),
        ("Ович", False),
    ],
)
def test_is_patronymic(token, expected):
    assert is_patronymic(token) is expected


def test_shipped_alias_table_matches_its_generator():
    """data/names/given_name_aliases.tsv is what names_build makes from the installed
    names-translator and translitua; rebuild it after upgrading either."""
    from svidok.domain.names_build import OUTPUT, build_aliases

    aliases, _ = build_aliases()
    shipped = {}
    for line in OUTPUT.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            alias, canonical, pass_no = line.split("\t")
            shipped[alias] = (canonical, int(pass_no))
    assert shipped == aliases


# -- the classes real lists carry (issue 17) ------------------------------------------

@pytest.mark.parametrize("spellings", [
    ["Олександр", "Сашко", "Саша", "Sasha", "Alexander"],
    ["Микола", "Коля", "Николай", "Nicholas", "Mykola"],
    ["Петро", "Петрик", "Пётр", "Peter"],
    ["Марія", "Марічка", "Маша", "Mary"],
])
def test_diminutives_and_english_forms_share_the_full_names_key(spellings):
    assert len({name_key(s) for s in spellings}) == 1


@pytest.mark.parametrize("spellings", [
    ["Миколайович", "Mykolaiovych", "Николаевич"],
    ["Петрівна", "Петровна", "Petrivna"],
    ["Сергійович", "Сергеевич", "Serhiiovych"],
    ["Олексійович", "Алексеевич", "Oleksiiovych"],
    ["Іванович", "Иванович", "Ivanovych"],
    # the father's name loses a vowel in Ukrainian (Яків, Лев), not in Russian
    ["Якович", "Яковлевич", "Yakovych", "Yakovlevich"],
    ["Яківна", "Яковлевна", "Yakivna"],
    ["Львович", "Lvovych"],
    ["Львівна", "Львовна"],
    # a folk form (Панас) is the patronymic of its full name (Афанасій), not of Панасій
    ["Панасович", "Опанасович", "Афанасьевич", "Афанасійович"],
    ["Юхимович", "Ефимович"],
])
def test_patronymics_share_one_key_across_languages(spellings):
    keys = {patronymic_key(s) for s in spellings}
    assert len(keys) == 1 and "~" in keys.pop()


def test_a_transliteration_never_takes_over_a_common_names_own_spelling():
    # "ivanovich" was once an alias of a rarer patronymic's transliteration
    assert name_key("Иванович") == name_key("Іванович") == "ivanovich"


@pytest.mark.parametrize(("text", "parts"), [
    ("ПетроДорошенко", NameParts("Дорошенко", "Петро", None)),
    ("Сорока Ганна", NameParts("Сорока", "Ганна", None)),
    ("Hanna Soroka", NameParts("Soroka", "Hanna", None)),
    ("SOROKA Hanna", NameParts("SOROKA", "Hanna", None)),
    ("Сашко Мельничук", NameParts("Мельничук", "Сашко", None)),
    ("Melnik Denis Illich", NameParts("Melnik", "Denis", "Illich")),
    ("Бабич Олег Іванович", NameParts("Бабич", "Олег", "Іванович")),
])
def test_names_split_whatever_the_order_or_spacing(text, parts):
    assert split_full_name(text) == parts


@pytest.mark.parametrize(("text", "parts"), [
    # a typo in the given name still tells the order: "Ігро" is one swap from Ігор
    ("Ігро Заїкосський", NameParts("Заїкосський", "Ігро", None)),
    ("Алексадр Гончар", NameParts("Гончар", "Алексадр", None)),
    ("Гончар Алексадр", NameParts("Гончар", "Алексадр", None)),
    ("Pero Kovalenko", NameParts("Kovalenko", "Pero", None)),
    # without a typo the order stays as before: the family name first in Cyrillic
    ("Гончар Мельник", NameParts("Гончар", "Мельник", None)),
])
def test_a_given_name_with_a_typo_still_tells_the_name_order(text, parts):
    assert split_full_name(text) == parts


@pytest.mark.parametrize(("text", "shown"), [
    ("Шевченко Петро Іванович", FAMILY_FIRST),   # the patronymic's place
    ("Петро Іванович Шевченко", GIVEN_FIRST),
    ("SOROKA Hanna", FAMILY_FIRST), ("Hanna SOROKA", GIVEN_FIRST),   # capitals
    ("Soroka, Hanna", FAMILY_FIRST),
    ("Петро Шевченко", GIVEN_FIRST), ("Шевченко Петро", FAMILY_FIRST),   # one known given name
    ("Олексій Мартин", None),        # both are given names
    ("Хрцстина Довгалега", None),    # neither is known
    ("Ігро Заїкосський", None),      # a typo: the order is read, but only guessed
    ("Шевченко", None),
])
def test_the_order_a_name_shows_by_itself(text, shown):
    assert name_order(text) == shown


def test_a_lists_habit_decides_only_what_the_words_leave_open():
    # both words are given names: a news report writes "Олексій Мартин" given name first
    assert split_full_name("Олексій Мартин", GIVEN_FIRST) == NameParts("Мартин", "Олексій", None)
    assert split_full_name("Олексій Мартин") == NameParts("Олексій", "Мартин", None)
    assert split_full_name("Хрцстина Довгалега", GIVEN_FIRST) == NameParts("Довгалега", "Хрцстина", None)
    assert split_full_name("Mykola Petro", FAMILY_FIRST) == NameParts("Mykola", "Petro", None)
    # what the words show wins over the habit
    assert split_full_name("Шевченко Петро", GIVEN_FIRST) == NameParts("Шевченко", "Петро", None)
    assert split_full_name("Петро Іванович Шевченко", FAMILY_FIRST) == NameParts("Шевченко", "Петро", "Іванович")


@pytest.mark.parametrize(("text", "parts"), [
    ("Koval Yu.", NameParts("Koval", "Y", None)),
    ("KOVAL YU.V.", NameParts("KOVAL", "Y", None)),
    ("Zh. Koval", NameParts("Koval", "Z", None)),
    ("Koval Yuliia", NameParts("Koval", "Yuliia", None)),   # a whole name stays whole
])
def test_a_latin_initial_of_two_letters_is_an_initial(text, parts):
    assert split_full_name(text) == parts


def test_crimean_tatar_names_typed_without_their_letters():
    # Without ç and ş a keyboard gives "Celebi", "Sevket"; the official Latin c of Cemilev is дж.
    for typed, name in [("Celebi", "Челебі"), ("Celebi", "Çelebi"), ("Cemilev", "Джемілєв"), ("Cemilev", "Dzhemiliev"),
                        ("Sevket", "Şevket"), ("Sevket", "Шевкет"), ("Cubarov", "Чубаров"), ("Ayse", "Айше")]:
        assert name_key(typed) == name_key(name), (typed, name)


@pytest.mark.parametrize(
    "spellings",
    [
        ["Nicholas", "Mykola", "Николай", "Микола"],
        ["Peter", "Petro", "Пётр", "Петро"],
        ["Andrew", "Andrii", "Андрій", "Андрей"],
        ["Gregory", "Hryhorii", "Григорій"],
        ["Alexander", "Oleksandr", "Олександр"],
        ["Helen", "Olena", "Олена", "Елена"],
        ["Catherine", "Kateryna", "Екатерина", "Катерина", "Kate"],
        ["John", "Ivan", "Іван"],
        ["Stanislaus", "Stanislav", "Станіслав"],
        ["Jeanne", "Zhanna", "Жанна"],
        ["Pauline", "Polina", "Поліна"],
        ["Elias", "Illia", "Ілля", "Илья"],
        ["Benjamin", "Veniamin", "Веніамін"],
        ["Joanna", "Ivanna", "Іванна"],
        ["Salome", "Solomiia", "Соломія"],
    ],
)
def test_english_forms_of_given_names_share_the_key(spellings):
    assert len({name_key(s) for s in spellings}) == 1, dict(zip(spellings, map(name_key, spellings)))


@pytest.mark.parametrize(
    ("form", "one", "other"),
    [("George", "Георгій", "Юрій"), ("Alex", "Олександр", "Олексій"), ("Саша", "Олександр", "Олександра"),
     ("Sasha", "Олександр", "Олександра"), ("Женя", "Євген", "Євгенія")],
)
def test_a_form_of_two_names_agrees_with_both_and_keeps_them_apart(form, one, other):
    keys = given_name_keys(form)
    assert keys[0] == name_key(form) == name_key(one)
    assert name_key(other) in keys
    assert name_key(one) != name_key(other)  # the two names' sets are not merged
    assert given_name_keys(one) == (name_key(one),)


def test_a_form_that_is_itself_another_name_does_not_take_it_over():
    # "Jan" may be Іван in a Polish list, but Ян is a name of its own.
    assert name_key("Ян") != name_key("Іван")
    assert name_key("John") == name_key("Іван")


@pytest.mark.parametrize(("text", "parts"), [
    # initials: the one full word is the family name, the first initial the given name
    ("Витко Р. В.", NameParts("Витко", "Р", None)),
    ("О. Шевченко", NameParts("Шевченко", "О", None)),
    ("Shevchenko O.", NameParts("Shevchenko", "O", None)),
    ("Лурук А.А.", NameParts("Лурук", "А", None)),
    ("Олександр В. Шевченко", NameParts("Шевченко", "Олександр", None)),
    # the one word in capitals is the family name, even where both words are given names
    ("TARAS Yuliia", NameParts("TARAS", "Yuliia", None)),
    ("Юлія ТАРАС", NameParts("ТАРАС", "Юлія", None)),
    # a name wholly in capitals gives no such cue
    ("ДАХНЕНКО ЗІНОВІЙ ВІКТОРОВИЧ", NameParts("ДАХНЕНКО", "ЗІНОВІЙ", "ВІКТОРОВИЧ")),
])
def test_initials_and_a_family_name_in_capitals(text, parts):
    assert split_full_name(text) == parts


# -- everyday diminutives (issue 17: "Тоня Журненко" ~ "Журненко Антоніна Іванівна") ----

@pytest.mark.parametrize(
    ("full", "ukrainian", "russian", "latin"),
    [
        ("Антоніна", "Тоня", "Тоня", "Tonia"),
        ("Антоніна", "Тося", "Тося", "Tosya"),
        ("Тимофій", "Тимко", "Тимоша", "Tymko"),
        ("Едуард", "Едик", "Эдик", "Edik"),
        ("Ігор", "Ігорьок", "Игорёк", "Igorek"),
        ("Ігор", "Ігорьок", "Игорек", "Ihorok"),
        ("Ірина", "Ірочка", "Ирочка", "Irochka"),
        ("Олександр", "Сашуня", "Сашенька", "Sashunia"),
        ("Олександр", "Саньок", "Санёк", "Sanyok"),
        ("Сергій", "Сергійко", "Серёжа", "Serhiiko"),
        ("Сергій", "Сєрьога", "Серёга", "Seryoga"),
        ("Олена", "Оленка", "Леночка", "Olenka"),
        ("Марія", "Марічка", "Машенька", "Marichka"),
        ("Олексій", "Льоша", "Алёша", "Alyosha"),
        ("Олексій", "Льоха", "Лёха", "Lyokha"),
        ("Семен", "Сьома", "Сёма", "Syoma"),
        ("Артем", "Тьомка", "Тёмка", "Tyomka"),
        ("Віктор", "Вітьок", "Витёк", "Vitek"),
        ("Микола", "Колюня", "Коленька", "Kolyan"),
        ("Дмитро", "Дімон", "Димочка", "Dimka"),
        ("Іван", "Івасик", "Ванюша", "Vaniusha"),
        ("Володимир", "Вовчик", "Вовочка", "Vovchik"),
        ("Михайло", "Мішко", "Мишаня", "Mishko"),
        ("Юрій", "Юрась", "Юрочка", "Yuras"),
        ("Василь", "Васильок", "Василёк", "Vasylko"),
        ("Ілля", "Іллюша", "Илюша", "Illiusha"),
        ("Кирило", "Кирилко", "Кирюша", "Kiriusha"),
        ("Данило", "Данилко", "Даня", "Danya"),
        ("Георгій", "Жорик", "Гоша", "Gosha"),
        ("Лев", "Льова", "Лёва", "Lyova"),
        ("Ростислав", "Ростик", "Ростик", "Rostyk"),
        ("Зіновій", "Зеник", "Зеник", "Zenyk"),
        ("Катерина", "Катруся", "Катюша", "Katiusha"),
        ("Ганна", "Ганнуся", "Анюта", "Aniuta"),
        ("Наталія", "Наталочка", "Наташка", "Natalochka"),
        ("Тетяна", "Тетянка", "Танечка", "Tanechka"),
        ("Ольга", "Олюня", "Олечка", "Oliusia"),
        ("Людмила", "Люся", "Людочка", "Liusia"),
        ("Галина", "Галюня", "Галочка", "Halia"),
        ("Надія", "Надійка", "Наденька", "Nadiika"),
        ("Вікторія", "Вікуся", "Викуля", "Vikusia"),
        ("Анастасія", "Настуся", "Настенька", "Nastia"),
        ("Єлизавета", "Ліза", "Лизочка", "Liza"),
        ("Валерія", "Лера", "Леруся", "Lera"),
        ("Маргарита", "Рита", "Рита", "Rita"),
        ("Ксенія", "Ксеня", "Ксюха", "Ksenia"),
    ],
)
def test_an_everyday_diminutive_gets_the_full_names_key_in_every_script(full, ukrainian, russian, latin):
    key = name_key(full)
    assert {form: name_key(form) for form in (ukrainian, russian, latin)} == dict.fromkeys(
        (ukrainian, russian, latin), key
    )


def test_every_diminutive_row_reaches_its_name_also_in_latin():
    """Each row of given_name_diminutives.tsv: the form, and its Ukrainian (KMU 2010) and
    Russian passport romanisations, agree with the full name."""
    from translitua import RussianInternationalPassport, UkrainianKMU, translit

    from svidok.domain.names_keys import _diminutive_rows

    wrong = []
    for form, full in _diminutive_rows():
        for spelling in (form, translit(form, UkrainianKMU), translit(form, RussianInternationalPassport)):
            if name_key(full) not in given_name_keys(spelling):
                wrong.append((form, full, spelling, name_key(spelling)))
    assert not wrong


@pytest.mark.parametrize(
    ("form", "one", "other"),
    [("Тима", "Тимофій", "Тимур"), ("Ксюша", "Ксенія", "Оксана"), ("Оленька", "Олена", "Ольга"),
     ("Slavik", "Ярослав", "В'ячеслав"), ("Слава", "Ярослав", "Владислав"), ("Владик", "Владислав", "Володимир"),
     ("Саня", "Олександр", "Олександра"), ("Лёнька", "Леонід", "Олена")],
)
def test_a_diminutive_two_names_share_agrees_with_both(form, one, other):
    keys = given_name_keys(form)
    assert keys[0] == name_key(one) and name_key(other) in keys
    assert name_key(one) != name_key(other)


# Full given names that look like familiar forms of another name; none may be taken over.
# (Антоній is not here: Anthony, Antony in en_given_names.tsv make it one name with Антон.)
_OWN_NAMES = ["Ксенія", "Ксения", "Kseniia", "Олеся", "Леся", "Ян", "Яна", "Ніка", "Мілана", "Алла", "Аліна",
              "Віта", "Влад", "Влада", "Злата", "Кіра", "Дана", "Ліна", "Ліля", "Тамара", "Антонія",
              "Тимур", "Богдана", "Оксана", "Олександра", "Олена", "Ольга", "Євгенія", "Леонід", "Станіслав"]


@pytest.mark.parametrize("name", _OWN_NAMES)
def test_a_full_name_that_looks_like_a_diminutive_keeps_its_own_key(name):
    from svidok.domain.names_keys import _generated_aliases
    from svidok.domain.names_scripts import skeleton

    aliases = _generated_aliases()[0]
    assert name_key(name) == aliases.get(skeleton(name), skeleton(name))
    assert given_name_keys(name) == (name_key(name),)


def test_no_diminutive_is_itself_another_full_name_in_the_tables():
    """A familiar form whose spelling is the key of a different full name the tables know
    (Ксеня was once a row for Оксана and took Ксенія over) would merge two names."""
    from svidok.domain.names_keys import _ambiguous_rows, _diminutive_rows, _english_rows, _generated_aliases
    from svidok.domain.names_scripts import skeleton

    aliases = _generated_aliases()[0]

    def base(word):
        return aliases.get(skeleton(word), skeleton(word))

    full_names = {full for _, full in _diminutive_rows()} | {uk for uk, _, _ in _english_rows()}
    full_names |= {n for _, names in _ambiguous_rows() for n in names} | set(_OWN_NAMES)
    by_key = {}
    for n in full_names:
        by_key.setdefault(base(n), set()).add(n)
    clashes = [(form, full, by_key[base(form)]) for form, full in _diminutive_rows()
               if base(form) in by_key and base(form) != base(full)]
    assert not clashes


@pytest.mark.parametrize(("form", "full"), [
    ("Ігорко", "Ігор"), ("Igorko", "Ігор"), ("Несторко", "Нестор"), ("Валерко", "Валерій"),
    ("Артурчик", "Артур"), ("Тимурчик", "Тимур"), ("Алінка", "Аліна"), ("Ruslanka", "Руслана"),
    ("Zakharka", "Захар"), ("Діаночка", "Діана"), ("Жанночка", "Жанна"), ("Верочка", "Віра"),
])
def test_a_diminutive_made_with_a_common_suffix_reads_as_its_full_name(form, full):
    assert diminutive_base(form) == name_key(full)
    assert given_key(form) == name_key(full)
    assert name_key(form) != name_key(full)  # search keys stay literal: only a given name's place reads it


@pytest.mark.parametrize("name", ["Марко", "Іванка", "Ганнуся", "Олесь", "Шевченко", "Бойко", "Фетко", "Лусик"])
def test_a_known_name_or_a_word_without_a_name_in_it_keeps_its_key(name):
    """Names the tables know keep their own key (Марко is not Мар-ко); a stem of three
    letters (Бой-ко) or no name at all (Лус-ик) leaves the word as it is."""
    assert diminutive_base(name) == ""
    assert given_key(name) == name_key(name)


@pytest.mark.parametrize(("text", "parts"), [
    ("Осатп Андреевич Чусович", ("Чусович", "Осатп", "Андреевич")),
    ("Елизавта Григорьевна Якимович", ("Якимович", "Елизавта", "Григорьевна")),
    ("Дашкевич Петро Іванович", ("Дашкевич", "Петро", "Іванович")),
])
def test_of_two_words_that_read_as_patronymics_the_one_from_a_given_name_is(text, parts):
    """Family names end in -ович too (Чусович, Якимович): with a typo in the given name,
    the patronymic made from a known name (a woman's before a man's) tells the order."""
    assert split_full_name(text) == NameParts(*parts)


def test_juliana_agrees_with_uliana_and_yuliana():
    """Juliana is the Latin of Юліана and the English form lists give Уляна; its skeleton
    is Юліана's, so Юліана also agrees with Уляна (one name in origin)."""
    assert given_name_keys("Juliana") == (name_key("Юліана"), name_key("Уляна"))
    assert name_key("Юліана") != name_key("Уляна")


@pytest.mark.parametrize("spellings", [
    ["Панас", "Опанас", "Афанасій", "Афанасий", "Panas", "Opanas", "Afanasii"],
    ["Юхим", "Yukhym", "Ефим", "Єфим"],
    ["Гнат", "Hnat", "Игнат", "Ігнат"],
    ["Ярина", "Орина", "Ірина", "Ирина", "Iryna"],
    ["Явдоха", "Євдокія", "Евдокия"],
    ["Тиміш", "Тимофій", "Тимофей"],
])
def test_ukrainian_folk_forms_are_one_name_with_the_church_and_russian_forms(spellings):
    assert len({name_key(s) for s in spellings}) == 1, dict(zip(spellings, map(name_key, spellings)))


def test_a_folk_forms_name_stays_apart_from_its_neighbours():
    assert name_key("Остап") != name_key("Євстафій")  # no row: Остап is a name of its own today
    assert name_key("Ірина") != name_key("Ярослава") and name_key("Афанасій") != name_key("Опанасенко")


@pytest.mark.parametrize(("text", "parts"), [
    ("Борисько Хадзик", ("Хадзик", "Борисько", None)),
    ("Хадзик Борисько", ("Хадзик", "Борисько", None)),
    ("Ігорко Фетко", ("Фетко", "Ігорко", None)),
])
def test_a_diminutive_no_table_lists_tells_the_name_order_when_nothing_else_does(text, parts):
    """Хадзик and Фетко are one typo from a given name (Хадижа, Федько); a word made with
    a diminutive suffix from a known name (Борис, Ігор) is the stronger sign."""
    assert split_full_name(text) == NameParts(*parts)


def test_a_double_quote_typed_for_the_apostrophe_keeps_the_word_whole():
    parts = split_full_name('Андрухук Дем"ян В"ячеславович')
    assert (parts.family, parts.given, parts.patronymic) == ("Андрухук", 'Дем"ян', 'В"ячеславович')
    assert patronymic_key(parts.patronymic) == patronymic_key("В'ячеславович")
    # around a word it still quotes it
    assert split_full_name('"Андрухук" Дем\'ян').family == "Андрухук"
