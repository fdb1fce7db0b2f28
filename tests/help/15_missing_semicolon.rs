fn main() {
    let hr = 72 //~ ERROR expected `;`, found `println`
    //~^ HELP add `;` here
    println!("{}", hr);
}
