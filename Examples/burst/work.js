// A short node job, as a linter or code generator run would be: a little work, one line out.
let sum = 0;
for (let i = 0; i < 10000; i++) sum += i % 7;
console.log(`checked ${process.argv[2] ?? "?"}: ${sum}`);
