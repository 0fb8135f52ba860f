//! Name pools for synthetic people, groups and places. Each person name carries its
//! display form (possibly non-ASCII: José, Søren, Łukasz, 李, Владимир) and the ASCII
//! form addresses are built from, so mail, UPN and sAMAccountName stay ASCII-clean.
//! ASCII forms are lower-case letters only (no digits, dots, hyphens or apostrophes), which
//! the uniqueness argument of the generator relies on.

/// A name: display form and ASCII letters for addresses.
pub type Name = (&'static str, &'static str);

/// Given names; about one in six is non-ASCII.
pub const GIVEN: &[Name] = &[
    ("James", "james"),
    ("Mary", "mary"),
    ("John", "john"),
    ("Patricia", "patricia"),
    ("Robert", "robert"),
    ("Jennifer", "jennifer"),
    ("Michael", "michael"),
    ("Linda", "linda"),
    ("William", "william"),
    ("Elizabeth", "elizabeth"),
    ("David", "david"),
    ("Barbara", "barbara"),
    ("Richard", "richard"),
    ("Susan", "susan"),
    ("Joseph", "joseph"),
    ("Jessica", "jessica"),
    ("Thomas", "thomas"),
    ("Sarah", "sarah"),
    ("Charles", "charles"),
    ("Karen", "karen"),
    ("Daniel", "daniel"),
    ("Nancy", "nancy"),
    ("Matthew", "matthew"),
    ("Lisa", "lisa"),
    ("Anthony", "anthony"),
    ("Betty", "betty"),
    ("Mark", "mark"),
    ("Sandra", "sandra"),
    ("Paul", "paul"),
    ("Ashley", "ashley"),
    ("Steven", "steven"),
    ("Emily", "emily"),
    ("Kevin", "kevin"),
    ("Donna", "donna"),
    ("Brian", "brian"),
    ("Michelle", "michelle"),
    ("Hannah", "hannah"),
    ("Lukas", "lukas"),
    ("Anna", "anna"),
    ("Pieter", "pieter"),
    ("Ingrid", "ingrid"),
    ("Marco", "marco"),
    ("Giulia", "giulia"),
    ("Yuki", "yuki"),
    ("Priya", "priya"),
    ("Mohammed", "mohammed"),
    ("Fatima", "fatima"),
    ("José", "jose"),
    ("Søren", "soren"),
    ("Łukasz", "lukasz"),
    ("Владимир", "vladimir"),
    ("François", "francois"),
    ("Zoë", "zoe"),
    ("Björn", "bjorn"),
    ("Agnès", "agnes"),
    ("伟", "wei"),
    ("Małgorzata", "malgorzata"),
];

/// Surnames; about one in six is non-ASCII.
pub const SURNAMES: &[Name] = &[
    ("Smith", "smith"),
    ("Johnson", "johnson"),
    ("Williams", "williams"),
    ("Brown", "brown"),
    ("Jones", "jones"),
    ("Garcia", "garcia"),
    ("Miller", "miller"),
    ("Davis", "davis"),
    ("Rodriguez", "rodriguez"),
    ("Martinez", "martinez"),
    ("Hernandez", "hernandez"),
    ("Lopez", "lopez"),
    ("Wilson", "wilson"),
    ("Anderson", "anderson"),
    ("Taylor", "taylor"),
    ("Moore", "moore"),
    ("Jackson", "jackson"),
    ("Martin", "martin"),
    ("Lee", "lee"),
    ("Thompson", "thompson"),
    ("White", "white"),
    ("Harris", "harris"),
    ("Clark", "clark"),
    ("Lewis", "lewis"),
    ("Robinson", "robinson"),
    ("Walker", "walker"),
    ("Young", "young"),
    ("Allen", "allen"),
    ("King", "king"),
    ("Wright", "wright"),
    ("Scott", "scott"),
    ("Torres", "torres"),
    ("Nguyen", "nguyen"),
    ("Hill", "hill"),
    ("Flores", "flores"),
    ("Green", "green"),
    ("Adams", "adams"),
    ("Nelson", "nelson"),
    ("Baker", "baker"),
    ("Hall", "hall"),
    ("Rivera", "rivera"),
    ("Campbell", "campbell"),
    ("Schneider", "schneider"),
    ("Fischer", "fischer"),
    ("Jansen", "jansen"),
    ("Rossi", "rossi"),
    ("Tanaka", "tanaka"),
    ("Sharma", "sharma"),
    ("Müller", "muller"),
    ("Jørgensen", "jorgensen"),
    ("Wójcik", "wojcik"),
    ("Иванов", "ivanov"),
    ("李", "li"),
    ("García", "garcia"),
    ("Dubois-Lefèvre", "duboislefevre"),
    ("Ångström", "angstrom"),
    ("Łęcki", "lecki"),
];

/// Job titles.
pub const TITLES: &[&str] = &[
    "Analyst",
    "Senior Analyst",
    "Engineer",
    "Senior Engineer",
    "Manager",
    "Director",
    "Consultant",
    "Account Executive",
    "Designer",
    "Technician",
    "Specialist",
    "Coordinator",
];

/// Departments (also the stems of group names).
pub const DEPARTMENTS: &[&str] = &[
    "Finance",
    "Sales",
    "Marketing",
    "Engineering",
    "Research",
    "Support",
    "Legal",
    "Operations",
    "Facilities",
    "Procurement",
    "Human Resources",
    "Quality",
];

/// Group name purposes (combined with a department and a number). None starts with a
/// prefix IdFix treats as a well-known system object (`Admini…`, `Guest…`, …).
pub const GROUP_KINDS: &[&str] = &[
    "Team",
    "Project",
    "Committee",
    "Readers",
    "Editors",
    "Announcements",
];

/// Sites: (region OU, city OU, phone prefix). Some city names are non-ASCII, so whole
/// DNs are non-ASCII there.
pub const SITES: &[(&str, &str, &str)] = &[
    ("Europe", "Zürich", "+41 44 555"),
    ("Europe", "London", "+44 20 5550"),
    ("Europe", "Kraków", "+48 12 555"),
    ("Europe", "Paris", "+33 1 5555"),
    ("Americas", "Seattle", "+1 206 555"),
    ("Americas", "Toronto", "+1 416 555"),
    ("Americas", "São Paulo", "+55 11 5555"),
    ("Asia", "Tokyo", "+81 3 5555"),
    ("Asia", "Singapore", "+65 6555"),
];

/// Regions, in the order their OUs are created.
pub const REGIONS: &[&str] = &["Europe", "Americas", "Asia"];

/// External mail domains of contacts (all real, routable TLDs; never a forest's own).
pub const PARTNER_DOMAINS: &[&str] = &[
    "fabrikam-partners.com",
    "adatum.net",
    "tailspintoys.org",
    "wingtiptoys.co.uk",
    "northwindtraders.de",
    "litware.fr",
];

/// A lower-case ASCII slug of a group stem: letters only.
pub fn slug(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_forms_are_lowercase_letters() {
        for (_, a) in GIVEN.iter().chain(SURNAMES) {
            assert!(
                !a.is_empty() && a.bytes().all(|b| b.is_ascii_lowercase()),
                "{a}"
            );
        }
        let non_ascii = GIVEN.iter().filter(|(d, _)| !d.is_ascii()).count();
        assert!(non_ascii >= 5);
    }
}
