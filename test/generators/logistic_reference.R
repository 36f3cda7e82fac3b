# test/generators/logistic_reference.R: R's glm(binomial) fit of test/data/logistic_data.csv,
# the reference that healthscore.logistic_fit() must match (coefficients and standard errors to
# 1e-6 relative). Run once (apt-get install r-base-core) from the repository root:
#   Rscript test/generators/logistic_reference.R > test/data/logistic_reference.csv
# The convergence tolerance is far tighter than glm's default, so the reference is the
# maximum-likelihood estimate itself rather than an early stop near it.
data <- read.csv("test/data/logistic_data.csv")
fit <- glm(y ~ x1 + x2 + x3, family = binomial, data = data,
           control = glm.control(epsilon = 1e-15, maxit = 100))
s <- summary(fit)$coefficients
out <- data.frame(term = c("intercept", "x1", "x2", "x3"),
                  coefficient = sprintf("%.17g", s[, 1]),
                  std_error = sprintf("%.17g", s[, 2]))
write.csv(out, stdout(), row.names = FALSE, quote = FALSE)
cat(sprintf("loglik,%.17g,\n", as.numeric(logLik(fit))))
