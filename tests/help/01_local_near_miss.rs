fn main() {
    let patient_count = 3;
    println!("{}", patien_count); //~ ERROR E0425
    //~^ HELP a local variable with a similar name exists
}
